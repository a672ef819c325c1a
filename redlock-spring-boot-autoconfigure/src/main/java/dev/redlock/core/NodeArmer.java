package dev.redlock.core;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Arms one node once the arming decision says it may be armed: sets a ticket that a restart wipes,
 * restores the fencing counters and the registry from the armed nodes, records the node's
 * incarnation on a quorum, then sets the marker if the ticket is still there. On every way out
 * short of that it ends its own ticket (if the node takes that call), so that no other instance
 * waits for an arming that stopped.
 */
final class NodeArmer {

	/** Logged as the arming decisions are. */
	private static final Logger logger = LoggerFactory.getLogger("dev.redlock.core.Arming");

	private final List<LockNode> nodes;

	private final ArmableNode[] armable;

	private final String keyPrefix;

	NodeArmer(List<LockNode> nodes, ArmableNode[] armable, String keyPrefix) {
		this.nodes = nodes;
		this.armable = armable;
		this.keyPrefix = keyPrefix;
	}

	// the run id the node's marker names, or null; an unarmed node's names another incarnation
	// (a replica promoted by a failover inherits its former master's marker)
	String marker(int index) {
		try {
			return this.armable[index].armedIncarnation();
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

	// whether another instance's ticket is on the node
	boolean beingArmed(int index) {
		try {
			return this.armable[index].isBeingArmed();
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	/**
	 * Arms node {@code index} with what {@code round} read.
	 * @param needed how many armed nodes its fencing counters must be restored from
	 * @param overdue whether it is armed with fewer (it waited for them for one more hold-out)
	 * @return {@code null} if the node is armed now, or why it is not
	 */
	String arm(ArmingRound round, int index, int needed, boolean overdue) {
		ArmableNode node = this.armable[index];
		String name = this.nodes.get(index).name();
		String runId = round.statuses.get(index).runId();
		int restoredFrom;
		String ticket = null;
		try {
			ticket = node.beginArming();
			restoredFrom = round.restore(index, this.keyPrefix);
			int restored = restoredFrom;
			if (restored < needed) {
				if (!overdue) {
					return gaveUp(index, ticket, "restored its fencing counters from " + restored + " of the " + needed
							+ " armed nodes needed");
				}
				logger.warn("Redlock node {} is armed with fencing counters restored from {} of the {} nodes needed; a "
						+ "fencing token of a key last locked while it and the missing nodes were down may repeat", name,
						restored, needed);
			}
			int recorded = round.record(name, runId);
			if (recorded < round.quorum()) {
				return gaveUp(index, ticket, "its incarnation was recorded on " + recorded + " of the " + round.quorum()
						+ " nodes needed before it may be armed");
			}
			if (!node.arm(ticket, runId)) {
				return gaveUp(index, ticket, "restarted while it was being armed, or another instance began arming it");
			}
		}
		catch (RuntimeException ex) {
			return gaveUp(index, ticket, "arming failed: " + NodeFailure.describe(ex));
		}
		if (needed == 0 && restoredFrom == 0) {
			logger.info("Redlock node {} is armed: it was never armed before, so it counts toward the quorum at once",
					name);
		}
		else {
			logger.info("Redlock node {} is armed: it counts toward the quorum (fencing counters and registry restored "
					+ "from {} nodes)", name, restoredFrom);
		}
		return null;
	}

	// ends this instance's ticket, so that no other instance waits for an arming that stopped
	private String gaveUp(int index, String ticket, String reason) {
		if (ticket != null) {
			try {
				this.armable[index].abandonArming(ticket);
			}
			catch (RuntimeException ex) {
				// it expires, or another instance takes over a hold-out after it saw it
			}
		}
		return reason;
	}

}
