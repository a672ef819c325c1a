package dev.redlock.sample.orders;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * The payment provider that charges a customer: the slow, irreversible step that a lock must
 * protect.
 */
@FunctionalInterface
public interface PaymentGateway {

	/**
	 * Charges the customer of an order.
	 * @param orderId the order
	 */
	void charge(String orderId);

	/**
	 * A stand-in provider that takes a while to answer, which leaves room for a concurrent
	 * caller to slip in between "is it paid?" and "record the payment" when nothing locks.
	 * @param latency how long each charge takes
	 * @return the gateway
	 */
	static PaymentGateway simulated(Duration latency) {
		long nanos = latency.toNanos();
		return (orderId) -> {
			if (nanos > 0) {
				LockSupport.parkNanos(nanos);
			}
		};
	}

}
