package dev.redlock.sample.orders;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The payment store: a stand-in for the database that every instance of the application
 * shares.
 *
 * <p>{@link #payOnce} is a plain check-then-act, as business code often is: it looks for an
 * active payment, charges the customer through the gateway if there is none, then records the
 * payment. It is <em>not</em> atomic, on purpose: two callers that run it for the same order at
 * the same time can both charge. Only a lock on the order makes it safe. The ledger notices every
 * charge recorded while the order already had an active payment and counts it in
 * {@link #doublePayments()}, so a broken lock shows up as a number above zero.
 */
public class PaymentLedger {

	private final PaymentGateway gateway;

	private final Map<String, List<Payment>> payments = new ConcurrentHashMap<>();

	private final AtomicInteger doublePayments = new AtomicInteger();

	private final AtomicLong sequence = new AtomicLong();

	/**
	 * Creates an empty ledger.
	 * @param gateway the provider that charges customers
	 */
	public PaymentLedger(PaymentGateway gateway) {
		this.gateway = Objects.requireNonNull(gateway, "gateway");
	}

	/**
	 * Charges an order unless it is already paid. Not atomic: call it while holding the order's
	 * lock.
	 * @param orderId the order
	 * @param payer who charges, such as the instance's name
	 * @return the payment, and whether this call charged
	 */
	public PaymentResult payOnce(String orderId, String payer) {
		Optional<Payment> existing = activePayment(orderId);
		if (existing.isPresent()) {
			return new PaymentResult(existing.get(), false);
		}
		this.gateway.charge(orderId);
		return new PaymentResult(record(orderId, payer), true);
	}

	private Payment record(String orderId, String payer) {
		Payment payment = new Payment("pay-" + this.sequence.incrementAndGet(), orderId, payer, Instant.now(),
				Payment.Status.PAID);
		this.payments.merge(orderId, List.of(payment), (previous, added) -> {
			if (previous.stream().anyMatch(Payment::isActive)) {
				this.doublePayments.incrementAndGet();
			}
			List<Payment> all = new ArrayList<>(previous);
			all.addAll(added);
			return List.copyOf(all);
		});
		return payment;
	}

	/**
	 * Refunds the active payment of an order, if there is one. Not atomic: call it while holding
	 * the order's lock.
	 * @param orderId the order
	 * @return the refunded payment, or empty if the order was not charged
	 */
	public Optional<Payment> refund(String orderId) {
		Optional<Payment> active = activePayment(orderId);
		active.ifPresent((payment) -> replace(payment, payment.withStatus(Payment.Status.REFUNDED)));
		return active.map((payment) -> payment.withStatus(Payment.Status.REFUNDED));
	}

	/**
	 * Marks every paid payment as settled.
	 * @return how many payments were settled
	 */
	public int settle() {
		AtomicInteger settled = new AtomicInteger();
		for (String orderId : this.payments.keySet()) {
			this.payments.computeIfPresent(orderId, (id, list) -> list.stream().map((payment) -> {
				if (payment.status() != Payment.Status.PAID) {
					return payment;
				}
				settled.incrementAndGet();
				return payment.withStatus(Payment.Status.SETTLED);
			}).toList());
		}
		return settled.get();
	}

	private void replace(Payment old, Payment updated) {
		this.payments.computeIfPresent(old.orderId(),
				(id, list) -> list.stream().map((payment) -> payment.id().equals(old.id()) ? updated : payment).toList());
	}

	/**
	 * The payment that currently charges an order.
	 * @param orderId the order
	 * @return the paid or settled payment, or empty
	 */
	public Optional<Payment> activePayment(String orderId) {
		return this.payments.getOrDefault(orderId, List.of()).stream().filter(Payment::isActive).findFirst();
	}

	/**
	 * Every payment, oldest first.
	 * @return the payments
	 */
	public List<Payment> all() {
		return this.payments.values()
			.stream()
			.flatMap(List::stream)
			.sorted(Comparator.comparing(Payment::paidAt).thenComparing(Payment::id))
			.toList();
	}

	/**
	 * How many orders are charged right now.
	 * @return the count of orders with an active payment
	 */
	public int paidOrders() {
		return (int) this.payments.values().stream().filter((list) -> list.stream().anyMatch(Payment::isActive)).count();
	}

	/**
	 * How many times an order was charged while it already had an active payment. Stays 0 while
	 * locking works.
	 * @return the count of double payments
	 */
	public int doublePayments() {
		return this.doublePayments.get();
	}

}
