// The HTTP/2 response of a gRPC request: upstream trailers relayed (waitForTrailers), gateway answers as Kong's gRPC status.
import type { ServerHttp2Stream } from 'node:http2';
import { headerName, type RawHeaders } from '../proxy/response-headers.js';
import type { WriterShared } from './engine.js';
import type { UpstreamTrailers } from '../proxy/types.js';
import { grpcAnswerHeaders, trailerHeaders } from './grpc-status.js';
import { H2ResponseWriter } from './node-h2-writer.js';
import type { RequestIds } from '../pipeline/request-id.js';

const GRPC_WRITER = Symbol('portcullis.grpcWriter');
type Tagged = ServerHttp2Stream & { [GRPC_WRITER]?: GrpcResponseWriter };

/** One listener function for every stream: the writer rides on the stream. */
function onWantTrailers(this: Tagged): void {
  this[GRPC_WRITER]?.sendTrailers();
}

const END_STREAM = { endStream: true } as const;
const WAIT_FOR_TRAILERS = { waitForTrailers: true } as const;

/** A response HEADERS frame that carries grpc-status is gRPC's Trailers-Only form: nothing follows it. */
function hasGrpcStatus(raw: RawHeaders): boolean {
  for (let i = 0; i < raw.length; i += 2) if (headerName(raw[i]!) === 'grpc-status') return true;
  return false;
}

/**
 * gRPC carries its status in trailers, so the response keeps its stream open after the last DATA frame and sends
 * the upstream's trailers (grpc-status, grpc-message, grpc-status-details-bin, any other) when Node asks for them.
 */
export class GrpcResponseWriter extends H2ResponseWriter {
  private trailers: UpstreamTrailers = null;

  constructor(stream: ServerHttp2Stream, requestIds: RequestIds, shared: WriterShared) {
    super(stream, false, requestIds, shared);
    (stream as Tagged)[GRPC_WRITER] = this;
    stream.on('wantTrailers', onWantTrailers);
  }

  override onClose(): void {
    (this.stream as Tagged)[GRPC_WRITER] = undefined;
    super.onClose();
  }

  /** A gateway answer (no route, a refused token, an upstream fault) as Kong's: trailers-only, HTTP status kept. */
  protected override send(status: number, body: string, _type: string, wwwAuthenticate: string | null): void {
    if (this.finished || this.started) return;
    this.started = true;
    this.begin(status, '');
    try {
      this.stream.respond(grpcAnswerHeaders(status, body, this.requestId, wwwAuthenticate), END_STREAM);
    } catch {
      this.close();
      return;
    }
    this.complete();
  }

  override start(status: number, raw: RawHeaders, noBody: boolean): void {
    super.start(status, raw, noBody || hasGrpcStatus(raw));
  }

  protected override responseOptions(noBody: boolean): { endStream?: boolean; waitForTrailers?: boolean } {
    return noBody ? END_STREAM : WAIT_FOR_TRAILERS;
  }

  override end(trailers?: UpstreamTrailers): void {
    if (this.finished) return;
    this.trailers = trailers;
    super.end();
  }

  /** Node's 'wantTrailers': the last DATA frame is out. */
  sendTrailers(): void {
    try {
      this.stream.sendTrailers(trailerHeaders(this.trailers));
    } catch {
      // The stream was reset meanwhile: nothing left to send.
    }
  }
}
