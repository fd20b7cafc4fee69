// A NestJS-style service with legacy (experimentalDecorators) method decorators. Run by
// test/timing/legacy-decorators.test.ts through tsx with this folder's tsconfig, and as tsc's own emit.
// Prints one JSON object: what the calls returned and the function_duration_seconds counts.
import { Registry, timed } from '../../../src/index.js';

const registry = new Registry();
/** Which protocol the compiler used: legacy decorators get (target, key, descriptor). */
let protocol = 'none';
function probe(...args: unknown[]): void {
  protocol = args.length === 3 ? 'legacy' : 'standard';
}
const err = new Error('not found');

class UsersService {
  private readonly prefix = 'user-';

  @probe
  @timed({ registry })
  findOne(id: number): string {
    return `${this.prefix}${id}`;
  }

  @timed({ registry, name: 'users.findAll' })
  async findAll(): Promise<string[]> {
    await null;
    return [this.findOne(1), this.findOne(2)];
  }

  @timed({ registry })
  remove(_id: number): never {
    throw err;
  }

  @timed({ registry })
  static create(): UsersService {
    return new UsersService();
  }
}

const service = UsersService.create();
const results: unknown[] = [service.findOne(7), await service.findAll(), UsersService.prototype.findOne.name];
try {
  service.remove(1);
} catch (e) {
  results.push(e === err ? 'same error' : 'other error');
}
const counts: Record<string, number> = {};
for (const m of (await registry.metrics()).matchAll(/^function_duration_seconds_count\{function="([^"]*)",outcome="([^"]*)"\} (\d+)$/gm)) {
  counts[`${m[1]}|${m[2]}`] = Number(m[3]);
}
console.log(JSON.stringify({ protocol, results, counts }));
