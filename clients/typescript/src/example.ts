// Example: place an order over Connect, then poll until the payment-service
// has decided on it, and print a one-line JSON summary.
//
//   npm run example -- [ORDERS_URL] [PAYMENT_URL]
//
// ORDERS_URL (argv[2], env ORDERS_URL, default http://127.0.0.1:7001) is the
// OrderService (the order-producer); PAYMENT_URL (argv[3], env PAYMENT_URL,
// default http://127.0.0.1:7002) is the PaymentService. Those are the ports
// of `orders dev`. ORDERS_TOKEN, when set, is sent as the bearer token
// (`orders dev` prints one and keeps it in .data/dev-token). Exits 0 once
// the order is PAID or DECLINED, 1 otherwise.

import { Code, ConnectError, createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";

import { OrderService, OrderStatus, type OrderView } from "./gen/orders/v1/order_service_pb.js";
import { PaymentStatus, DeclineReason, type Payment } from "./gen/payments/v1/payment_pb.js";
import { PaymentService } from "./gen/payments/v1/payment_service_pb.js";

const ordersURL = process.argv[2] || process.env.ORDERS_URL || "http://127.0.0.1:7001";
const paymentURL = process.argv[3] || process.env.PAYMENT_URL || "http://127.0.0.1:7002";
// How long to wait for the asynchronous payment decision.
const deadlineMs = Number(process.env.EXAMPLE_TIMEOUT_MS || 30_000);
const pollMs = 200;
const token = process.env.ORDERS_TOKEN || "";

// bearer sends the token with every call.
const bearer: Interceptor = (next) => async (req) => {
  if (token) {
    req.header.set("Authorization", `Bearer ${token}`);
  }
  return next(req);
};

function client<T extends typeof OrderService | typeof PaymentService>(service: T, baseUrl: string): Client<T> {
  // The services speak Connect, gRPC and gRPC-Web over HTTP/1.1 and h2c;
  // Connect over HTTP/1.1 needs nothing else.
  const transport = createConnectTransport({ baseUrl, httpVersion: "1.1", interceptors: [bearer] });
  return createClient(service, transport);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const orders = client(OrderService, ordersURL);
  const payments = client(PaymentService, paymentURL);
  const callOptions = { timeoutMs: 5_000 };

  // cus-0001 lives in DE and pays in EUR.
  const placed = await orders.placeOrder(
    {
      customerId: "cus-0001",
      country: "DE",
      currency: "EUR",
      items: [{ sku: "SKU-1001", name: "Mechanical keyboard", quantity: 2, unitPriceMinor: 2499n }],
    },
    callOptions,
  );
  const orderId = placed.order?.orderId;
  if (!orderId) {
    throw new Error("PlaceOrder returned no order id");
  }

  // The order-producer learns the decision from the `payments` topic, so
  // both the order's status and the payment appear after a short delay.
  const deadline = Date.now() + deadlineMs;
  let view: OrderView | undefined;
  let payment: Payment | undefined;
  for (;;) {
    if (view === undefined || view.status === OrderStatus.PLACED || view.status === OrderStatus.UNSPECIFIED) {
      view = (await orders.getOrder({ orderId }, callOptions)).order;
    }
    if (payment === undefined) {
      try {
        payment = (await payments.getPayment({ orderId }, callOptions)).payment;
      } catch (err) {
        if (ConnectError.from(err).code !== Code.NotFound) {
          throw err;
        }
      }
    }
    const decided = view?.status === OrderStatus.PAID || view?.status === OrderStatus.DECLINED;
    if (decided && payment !== undefined) {
      break;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `order ${orderId}: no payment decision after ${deadlineMs} ms ` +
          `(status ${OrderStatus[view?.status ?? OrderStatus.UNSPECIFIED]}, payment ${payment ? "found" : "not found"})`,
      );
    }
    await sleep(pollMs);
  }

  const summary = {
    order_id: orderId,
    customer_id: placed.order?.customerId,
    amount_minor: placed.order?.amountMinor.toString(),
    currency: placed.order?.currency,
    status: OrderStatus[view!.status],
    decline_reason: view!.declineReason || undefined,
    payment_id: payment.paymentId,
    payment_status: PaymentStatus[payment.status],
    payment_decline_reason:
      payment.declineReason === DeclineReason.UNSPECIFIED ? undefined : DeclineReason[payment.declineReason],
    flagged: view!.flagged,
    fraud_score: view!.fraudScore,
  };
  console.log(JSON.stringify(summary));
}

main().catch((err: unknown) => {
  const e = ConnectError.from(err);
  console.error(`example failed against ${ordersURL} / ${paymentURL}: [${Code[e.code]}] ${e.rawMessage}`);
  process.exitCode = 1;
});
