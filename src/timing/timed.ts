/**
 * `timed()`: the TypeScript `log_execution_time`. One function, four ways in:
 *
 *   timed(fn, options?)           a wrapper with fn's name, length, `this` and return value
 *   timed(options?)(fn)           the same
 *   @timed / @timed(options)      a method decorator, TypeScript 5 standard decorators `(value, context)`
 *                                 or legacy `experimentalDecorators` `(target, key, descriptor)` (NestJS)
 *
 * Every call is observed in `function_duration_seconds{function, outcome}` (outcome `success` | `error`)
 * and, with `log`, written to a performance log. Errors and rejections pass through unchanged (the very
 * same object). When a call ends is the one rule of src/metrics/timer.ts, shared with `histogram.time()`
 * and `histogram.timed()`: sync functions end at return; a returned native Promise (async functions)
 * ends when it settles; generator functions (sync and async) are timed from the first `next()` until
 * they finish, throw or are closed by `return()` (a `for...of` that breaks): the wall time of the
 * iteration, including the consumer's time between steps, which is what a caller waits for. A
 * generator that is dropped without being finished records nothing.
 *
 * Non-Promise thenables (lazy query builders) are returned untouched and timed as synchronous calls:
 * calling their `then()` would start work the caller may never ask for.
 */
import { inspect } from 'node:util';
import { globalRegistry } from '../metrics/registry.js';
import type { Registry } from '../metrics/registry.js';
import type { CallLogSource } from './call-log.js';
import { timeFunction } from '../metrics/timer.js';
import { CallRecorder, resolveRecorderOptions, type RecorderOptions } from './recorder.js';
import { usageError } from '../core/errors.js';

/** Any function; `never[]` parameters accept every parameter list. */
export type AnyFunction = (...args: never[]) => unknown;
/** A method as lib.decorators.d.ts constrains it (its constraint uses `any`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- must match ClassMethodDecoratorContext's bound
export type AnyMethod<This> = (this: This, ...args: any) => any;

export interface TimedOptions {
  /** The `function` label and the name in log lines; default the function's name (`Class.method` for methods). */
  name?: string;
  /** Registry of `function_duration_seconds` (default: the default registry); `null` for no metric. */
  registry?: Registry | null;
  /** Performance log to write each call to (see createPerformanceLog). */
  log?: CallLogSource;
}

/** What `timed(options)` returns: a function wrapper and a method decorator of either protocol. */
export interface TimedDecorator {
  <This, F extends AnyMethod<This>>(value: F, context: ClassMethodDecoratorContext<This, F>): F;
  <T>(target: object, propertyKey: string | symbol, descriptor: TypedPropertyDescriptor<T>): TypedPropertyDescriptor<T>;
  <F extends AnyFunction>(fn: F): F;
}

const OPTION_KEYS = new Set(['name', 'registry', 'log']);

interface Resolved {
  name: string | undefined;
  recorder: RecorderOptions;
}

function resolveOptions(options: unknown): Resolved {
  if (options === undefined) return { name: undefined, recorder: { registry: globalRegistry, log: undefined } };
  if (typeof options !== 'object' || options === null) {
    throw usageError(`timed(): options must be an object, got ${inspect(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) throw usageError(`timed(): unknown option "${key}" (known: name, registry, log)`);
  }
  const o = options as TimedOptions;
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name === '')) {
    throw usageError(`timed(): name must be a non-empty string, got ${inspect(o.name)}`);
  }
  return { name: o.name, recorder: resolveRecorderOptions(o.registry, o.log, 'timed()', globalRegistry) };
}

function wrapFunction<F extends AnyFunction>(fn: F, opts: Resolved): F {
  return timeFunction(fn, new CallRecorder(opts.name ?? (fn.name || 'anonymous'), opts.recorder).record);
}

const keyName = (key: string | symbol): string => (typeof key === 'symbol' ? `[${key.description ?? ''}]` : key);

/** Legacy (`experimentalDecorators`) method decorator: replaces `descriptor.value`. */
function decorateLegacy(target: unknown, key: string | symbol, descriptor: unknown, opts: Resolved): PropertyDescriptor {
  const ctor = typeof target === 'function' ? target : (target as { constructor?: { name?: string } } | null)?.constructor;
  const owner = typeof ctor?.name === 'string' && ctor.name !== '' ? `${ctor.name}.` : '';
  const where = `${owner}${keyName(key)}`;
  if (typeof descriptor !== 'object' || descriptor === null) {
    throw usageError(`@timed decorates methods; ${where} is a property (no descriptor)`);
  }
  const d = descriptor as PropertyDescriptor;
  if (typeof d.value !== 'function') {
    throw usageError(`@timed decorates methods; ${where} is ${d.get || d.set ? 'an accessor' : 'not a function'}`);
  }
  d.value = timeFunction(d.value as AnyFunction, new CallRecorder(opts.name ?? where, opts.recorder).record);
  return d;
}

/** Standard (TC39 / TypeScript 5) method decorator: returns the replacement method. */
function decorateStandard(fn: AnyFunction, context: ClassMethodDecoratorContext, opts: Resolved): AnyFunction {
  if (context.kind !== 'method') {
    throw usageError(`@timed decorates methods only, not a ${String(context.kind)} (${keyName(context.name)})`);
  }
  const method = keyName(context.name);
  const rec = new CallRecorder(opts.name ?? method, opts.recorder);
  const wrapper = timeFunction(fn, rec.record);
  if (opts.name === undefined) {
    // The context does not name the class. Its first initializer (class definition for a static
    // method, first construction otherwise) finds the class that owns this very wrapper.
    let named = false;
    context.addInitializer(function (this: unknown) {
      if (named) return;
      named = true;
      const owner = ownerClass(this, context, wrapper);
      // the name is read at the first call: esbuild names a lowered class after its static initializers
      rec.setLabelSource(() => {
        const name = typeof owner === 'function' ? owner.name : undefined;
        return typeof name === 'string' && name !== '' ? `${name}.${method}` : undefined;
      });
    });
  }
  return wrapper;
}

/** The class declaring the method: `this` for a static one, else the owner of the wrapper on `this`'s chain. */
function ownerClass(self: unknown, context: ClassMethodDecoratorContext, wrapper: AnyFunction): unknown {
  if (context.static) return self;
  if (typeof self !== 'object' || self === null) return undefined;
  if (!context.private) {
    // the prototype that holds this very wrapper, not the (sub)class being constructed
    for (let p: object | null = Object.getPrototypeOf(self) as object | null; p !== null; p = Object.getPrototypeOf(p) as object | null) {
      if (Object.getOwnPropertyDescriptor(p, context.name)?.value === wrapper) return (p as { constructor?: unknown }).constructor;
    }
  }
  return (self as { constructor?: unknown }).constructor;
}

function isDecoratorContext(x: unknown): x is ClassMethodDecoratorContext {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as { kind?: unknown }).kind === 'string' &&
    typeof (x as { addInitializer?: unknown }).addInitializer === 'function'
  );
}

const isPropertyKey = (x: unknown): x is string | symbol => typeof x === 'string' || typeof x === 'symbol';

/** Applies resolved options to whatever `timed` (or its decorator) was called with. */
function apply(opts: Resolved, a: unknown, b: unknown, c: unknown, argc: number): unknown {
  if (isPropertyKey(b)) return decorateLegacy(a, b, c, opts); // (target, key, descriptor)
  if (typeof a === 'function' && isDecoratorContext(b)) return decorateStandard(a as AnyFunction, b, opts);
  if (typeof a === 'function' && argc === 1) return wrapFunction(a as AnyFunction, opts);
  throw usageError(
    `timed(): expected a function, or to be applied as a method decorator; got (${[a, b, c].slice(0, argc).map((x) => inspect(x)).join(', ')})`,
  );
}

/** Times `fn`: every call observed in `function_duration_seconds` and, with `log`, logged. */
export function timed<This, F extends AnyMethod<This>>(
  value: F,
  context: ClassMethodDecoratorContext<This, F>,
): F;
export function timed<T>(target: object, propertyKey: string | symbol, descriptor: TypedPropertyDescriptor<T>): TypedPropertyDescriptor<T>;
export function timed<F extends AnyFunction>(fn: F, options?: TimedOptions): F;
/** A wrapper and method decorator with these options: `@timed({ log })`, `timed({ name })(fn)`. */
export function timed(options?: TimedOptions): TimedDecorator;
export function timed(a?: unknown, b?: unknown, c?: unknown): unknown {
  const argc = arguments.length;
  // Bare decorator use: @timed (standard: (method, context); legacy: (target, key, descriptor)).
  if (isPropertyKey(b) || (typeof a === 'function' && isDecoratorContext(b))) return apply(resolveOptions(undefined), a, b, c, argc);
  // timed(fn) / timed(fn, options)
  if (typeof a === 'function') {
    if (argc > 2) throw usageError('timed(fn, options?) takes at most two arguments');
    return wrapFunction(a as AnyFunction, resolveOptions(b));
  }
  // timed() / timed(options): a decorator / wrapper factory, options settled now
  if (argc > 1) throw usageError(`timed(options) takes one argument; got ${argc}`);
  const opts = resolveOptions(a);
  return function timedDecorator(x: unknown, y?: unknown, z?: unknown): unknown {
    return apply(opts, x, y, z, arguments.length);
  } as TimedDecorator;
}
