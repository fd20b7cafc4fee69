// snappyjs 0.7 ships no types: the two functions the tests and the bench use.
declare module 'snappyjs' {
  const snappyjs: {
    compress(input: Uint8Array | ArrayBuffer | Buffer): Uint8Array;
    uncompress(input: Uint8Array | ArrayBuffer | Buffer, maxLength?: number): Uint8Array;
  };
  export default snappyjs;
}
