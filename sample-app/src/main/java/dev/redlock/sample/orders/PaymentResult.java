package dev.redlock.sample.orders;

/**
 * What a call to pay an order did.
 *
 * @param payment the order's payment: the new one, or the one that already existed
 * @param charged {@code true} if this call charged the customer, {@code false} if the order was
 * already paid
 */
public record PaymentResult(Payment payment, boolean charged) {
}
