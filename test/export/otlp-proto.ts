/**
 * The official OTLP message definitions, as protobufjs code generated from opentelemetry-proto by the
 * OpenTelemetry JS project (shipped in @opentelemetry/otlp-transformer 0.57, installed here under the
 * alias `otlp-proto-generated`): an independent decoder for what we send.
 */
import { createRequire } from 'node:module';

interface MessageType {
  decode(bytes: Uint8Array): object;
  encode(message: object): { finish(): Uint8Array };
  fromObject(obj: object): object;
  toObject(message: object, options: { longs: StringConstructor; enums: NumberConstructor; defaults?: boolean; arrays?: boolean }): Record<string, unknown>;
  verify(obj: object): string | null;
}

const generated = createRequire(import.meta.url)('otlp-proto-generated/build/src/generated/root.js') as {
  opentelemetry: { proto: { collector: { metrics: { v1: { ExportMetricsServiceRequest: MessageType } } } } };
};

export const ExportMetricsServiceRequest = generated.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;

/**
 * Decodes a protobuf body to a plain object: 64-bit integers as strings, enums as numbers (the OTLP/JSON
 * conventions); `defaults` fills in proto3 defaults, so absent and default-valued fields compare equal.
 */
export function decodeOtlp(body: Uint8Array, defaults = false): Record<string, unknown> {
  return ExportMetricsServiceRequest.toObject(ExportMetricsServiceRequest.decode(body), { longs: String, enums: Number, defaults });
}
