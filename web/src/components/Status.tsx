import { OrderStatus } from "../gen/orders/v1/order_service_pb.js";

export function orderStatusName(s: OrderStatus): string {
  switch (s) {
    case OrderStatus.PLACED:
      return "PLACED";
    case OrderStatus.PAID:
      return "PAID";
    case OrderStatus.DECLINED:
      return "DECLINED";
    default:
      return "UNKNOWN";
  }
}

export function isFinal(s: OrderStatus): boolean {
  return s === OrderStatus.PAID || s === OrderStatus.DECLINED;
}

export function StatusBadge({ status, testId }: { status: OrderStatus; testId?: string }) {
  const name = orderStatusName(status);
  return (
    <span className={`badge badge-${name.toLowerCase()}`} data-testid={testId} data-status={name}>
      {name}
    </span>
  );
}
