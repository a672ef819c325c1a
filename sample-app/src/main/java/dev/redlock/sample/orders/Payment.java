package dev.redlock.sample.orders;

import java.time.Instant;
import java.util.Objects;

/**
 * One charge of an order, as the payment store keeps it.
 *
 * @param id the payment's id, unique in its ledger
 * @param orderId the order that was charged
 * @param payer the instance that charged it
 * @param paidAt when the charge was recorded
 * @param status where the payment is in its life
 */
public record Payment(String id, String orderId, String payer, Instant paidAt, Status status) {

	/**
	 * Validates the fields.
	 * @param id the id
	 * @param orderId the order
	 * @param payer the payer
	 * @param paidAt when it was paid
	 * @param status the status
	 */
	public Payment {
		Objects.requireNonNull(id, "id");
		Objects.requireNonNull(orderId, "orderId");
		Objects.requireNonNull(payer, "payer");
		Objects.requireNonNull(paidAt, "paidAt");
		Objects.requireNonNull(status, "status");
	}

	/**
	 * Whether the customer is still charged: paid or settled, not refunded.
	 * @return {@code true} unless refunded
	 */
	public boolean isActive() {
		return this.status != Status.REFUNDED;
	}

	/**
	 * The same payment in another status.
	 * @param status the new status
	 * @return a copy with {@code status}
	 */
	public Payment withStatus(Status status) {
		return new Payment(this.id, this.orderId, this.payer, this.paidAt, status);
	}

	/**
	 * The life of a payment.
	 */
	public enum Status {

		/** Charged, not yet settled with the bank. */
		PAID,

		/** Charged and settled by the settlement job. */
		SETTLED,

		/** Given back to the customer. */
		REFUNDED

	}

}
