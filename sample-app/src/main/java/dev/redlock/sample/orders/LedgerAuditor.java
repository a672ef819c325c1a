package dev.redlock.sample.orders;

import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.integration.leader.Context;
import org.springframework.integration.leader.DefaultCandidate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * A leader-only worker: audits the payment ledger on one instance only, the leader elected by
 * Spring Integration's {@code LockRegistryLeaderInitiator} ({@link LeaderElectionConfiguration})
 * on the Redlock lock registry, lock key {@code redlock:integration:ledger-auditor}. When the
 * leader stops or loses its lock, another instance takes over.
 */
@Component
public class LedgerAuditor extends DefaultCandidate {

	/** The role, which is also the lock key of the election. */
	public static final String ROLE = "ledger-auditor";

	private static final Logger logger = LoggerFactory.getLogger(LedgerAuditor.class);

	private final PaymentLedger ledger;

	private volatile boolean leading;

	/**
	 * Creates the auditor, a candidate with a random id.
	 * @param ledger the payment store
	 */
	public LedgerAuditor(PaymentLedger ledger) {
		super(UUID.randomUUID().toString(), ROLE);
		this.ledger = ledger;
	}

	@Override
	public void onGranted(Context context) {
		this.leading = true;
		logger.info("This instance ({}) now leads '{}'", getId(), ROLE);
		super.onGranted(context);
	}

	@Override
	public void onRevoked(Context context) {
		this.leading = false;
		logger.info("This instance ({}) no longer leads '{}'", getId(), ROLE);
		super.onRevoked(context);
	}

	/**
	 * Whether this instance leads now.
	 * @return whether this instance is the auditor
	 */
	public boolean isLeading() {
		return this.leading;
	}

	/**
	 * Audits the ledger if this instance leads.
	 * @return whether the audit ran
	 */
	@Scheduled(initialDelayString = "${sample.audit.interval:30s}", fixedDelayString = "${sample.audit.interval:30s}")
	public boolean audit() {
		if (!this.leading) {
			return false;
		}
		logger.info("Ledger audit by the leader: {} paid orders, {} double payments", this.ledger.paidOrders(),
				this.ledger.doublePayments());
		return true;
	}

}
