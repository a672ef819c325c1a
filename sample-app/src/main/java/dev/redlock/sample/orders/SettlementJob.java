package dev.redlock.sample.orders;

import java.time.Duration;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import dev.redlock.LockHandle;
import dev.redlock.LockTemplate;

/**
 * Settles paid orders with the bank on a schedule. Every instance runs the schedule, but the
 * {@code redlock:settlement} lock lets only one of them settle at a time; the others skip the
 * round at once instead of waiting ({@link LockTemplate#tryAcquire} with a zero wait time).
 */
@Component
public class SettlementJob {

	/** The lock that lets one instance settle at a time. */
	public static final String LOCK_KEY = "settlement";

	private static final Logger logger = LoggerFactory.getLogger(SettlementJob.class);

	private final PaymentLedger ledger;

	private final LockTemplate lockTemplate;

	private final Duration leaseTime;

	/**
	 * Creates the job.
	 * @param ledger the payment store
	 * @param lockTemplate the programmatic lock API
	 * @param leaseTime how long the lock lives if this instance dies while settling
	 */
	public SettlementJob(PaymentLedger ledger, LockTemplate lockTemplate,
			@Value("${sample.settlement.lease-time:30s}") Duration leaseTime) {
		this.ledger = ledger;
		this.lockTemplate = lockTemplate;
		this.leaseTime = leaseTime;
	}

	/**
	 * Settles every paid order, unless another instance is settling right now.
	 * @return how many payments were settled; 0 also when the round was skipped
	 */
	@Scheduled(initialDelayString = "${sample.settlement.interval:10s}",
			fixedDelayString = "${sample.settlement.interval:10s}")
	public int settle() {
		Optional<LockHandle> lock = this.lockTemplate.tryAcquire(LOCK_KEY, this.leaseTime, Duration.ZERO);
		if (lock.isEmpty()) {
			logger.debug("Another instance is settling; skipping this round");
			return 0;
		}
		try (LockHandle handle = lock.get()) {
			int settled = this.ledger.settle();
			if (settled > 0) {
				logger.info("Settled {} payment{} under lock {}", settled, (settled != 1) ? "s" : "", handle.key());
			}
			return settled;
		}
	}

}
