package dev.redlock.sample.orders;

import java.util.List;
import java.util.Optional;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

import dev.redlock.DistributedLock;
import dev.redlock.LockTemplate;

/**
 * Pays and refunds orders, each under the order's distributed lock, so that an order is charged
 * once however many instances of the application receive the request at the same time.
 *
 * <p>Shows both ways to lock: {@link #pay} declares the lock with {@link DistributedLock}, and
 * {@link #refund} takes the same lock in code with {@link LockTemplate}. Both lock the Redis key
 * {@code redlock:orders:<orderId>}, so a payment and a refund of one order never overlap.
 */
@Service
public class OrderService {

	/** The name of the order locks; the order id follows it. */
	public static final String LOCK_NAME = "orders";

	private final PaymentLedger ledger;

	private final LockTemplate lockTemplate;

	private final String instance;

	/**
	 * Creates the service.
	 * @param ledger the payment store
	 * @param lockTemplate the programmatic lock API
	 * @param instance the name this instance signs its payments with
	 */
	public OrderService(PaymentLedger ledger, LockTemplate lockTemplate,
			@Value("${spring.application.name:redlock-sample}") String instance) {
		this.ledger = ledger;
		this.lockTemplate = lockTemplate;
		this.instance = instance;
	}

	/**
	 * Charges an order unless it is already paid, while holding {@code redlock:orders:<orderId>}.
	 * @param orderId the order
	 * @return the payment, and whether this call charged
	 * @throws dev.redlock.LockNotAcquiredException if another caller held the order's lock for the
	 * whole wait time
	 */
	@DistributedLock(name = LOCK_NAME, key = "#orderId")
	public PaymentResult pay(String orderId) {
		return this.ledger.payOnce(orderId, this.instance);
	}

	/**
	 * Refunds an order's active payment, while holding the same lock as {@link #pay}.
	 * @param orderId the order
	 * @return the refunded payment, or empty if the order was not charged
	 * @throws dev.redlock.LockNotAcquiredException if another caller held the order's lock for the
	 * whole wait time
	 */
	public Optional<Payment> refund(String orderId) {
		return this.lockTemplate.execute(LOCK_NAME + ":" + orderId, (handle) -> this.ledger.refund(orderId));
	}

	/**
	 * Every payment, oldest first.
	 * @return the payments
	 */
	public List<Payment> payments() {
		return this.ledger.all();
	}

}
