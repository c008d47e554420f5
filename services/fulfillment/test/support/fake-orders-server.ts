/**
 * A real grpc-js server standing in for the orders service: it implements only
 * CompleteFulfillment, records every call and can be told how to answer.
 */
import { Server, ServerCredentials, status as GrpcStatus, type Metadata, type ServiceError } from '@grpc/grpc-js';
import { loadOrdersProto, METADATA, type CompleteFulfillmentRequest__Output, type Order } from '@orderlab/contracts';

/** One CompleteFulfillment call as the fake saw it. */
export interface RecordedCall {
  request: CompleteFulfillmentRequest__Output;
  requestId: string | undefined;
  traceparent: string | undefined;
  /** The status the fake answered with (OK = 0). */
  answered: GrpcStatus;
}

/** Decides the answer to a call: an error status, or undefined for OK. May wait. */
export type Behaviour = (request: CompleteFulfillmentRequest__Output) => Promise<GrpcStatus | undefined> | GrpcStatus | undefined;

export interface FakeOrdersServer {
  /** host:port to give the worker as ORDERS_GRPC_ADDR. */
  readonly address: string;
  readonly calls: RecordedCall[];
  /** The most CompleteFulfillment calls that were in progress at the same time. */
  readonly maxConcurrent: number;
  behaviour: Behaviour;
  /** Stops listening, like orders going down. */
  stop(): void;
  /** Listens again on the same port, like orders coming back. */
  restart(): Promise<void>;
}

const proto = loadOrdersProto();

type Call = { request: CompleteFulfillmentRequest__Output; metadata: Metadata };
type Callback = (err: Partial<ServiceError> | null, value?: Order) => void;

/** Starts the fake on 127.0.0.1 and a free port. */
export async function startFakeOrdersServer(): Promise<FakeOrdersServer> {
  const calls: RecordedCall[] = [];
  let behaviour: Behaviour = () => undefined;
  let active = 0;
  let maxConcurrent = 0;
  let server: Server | undefined;

  async function completeFulfillment(call: Call, callback: Callback): Promise<void> {
    active += 1;
    maxConcurrent = Math.max(maxConcurrent, active);
    try {
      const answer = (await behaviour(call.request)) ?? GrpcStatus.OK;
      const header = (key: string) => {
        const value = call.metadata.get(key)[0];
        return typeof value === 'string' ? value : undefined;
      };
      calls.push({ request: call.request, requestId: header(METADATA.requestId), traceparent: header(METADATA.traceparent), answered: answer });
      if (answer === GrpcStatus.OK) callback(null, { id: call.request.orderId, status: 'ORDER_STATUS_FULFILLED' });
      else callback({ code: answer, details: `fake orders answered ${GrpcStatus[answer]}` });
    } finally {
      active -= 1;
    }
  }

  async function listen(port: number): Promise<number> {
    const next = new Server();
    next.addService(proto.orderlab.orders.v1.OrderService.service, {
      CompleteFulfillment: (call: Call, callback: Callback) => void completeFulfillment(call, callback),
    });
    const bound = await new Promise<number>((resolve, reject) => {
      next.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
    });
    server = next;
    return bound;
  }

  const port = await listen(0);
  return {
    address: `127.0.0.1:${port}`,
    calls,
    get maxConcurrent() {
      return maxConcurrent;
    },
    get behaviour() {
      return behaviour;
    },
    set behaviour(next: Behaviour) {
      behaviour = next;
    },
    stop() {
      server?.forceShutdown();
      server = undefined;
    },
    async restart() {
      await listen(port);
    },
  };
}
