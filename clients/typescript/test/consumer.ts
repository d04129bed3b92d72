// A consumer of the package, type-checked against its published entry
// points (package.json "exports", by the package's own name) after the
// build: `npm run build` fails when they stop resolving or typing.
import { create } from "@bufbuild/protobuf";
import { createClient, createRouterTransport } from "@connectrpc/connect";

import { ordersv1, paymentsv1 } from "@kafka-enterprise-orders/client";
import { OrderService } from "@kafka-enterprise-orders/client/orders/v1/order_service_pb.js";
import { PaymentService } from "@kafka-enterprise-orders/client/payments/v1";

const request = create(ordersv1.PlaceOrderRequestSchema, { customerId: "cus-0001", country: "DE", currency: "EUR" });
const status: paymentsv1.PaymentStatus = paymentsv1.PaymentStatus.AUTHORIZED;
const transport = createRouterTransport(() => {});
const orders = createClient(OrderService, transport);
export const checks = [request.customerId, status, orders.placeOrder, ordersv1.OrderService === OrderService, PaymentService.typeName];
