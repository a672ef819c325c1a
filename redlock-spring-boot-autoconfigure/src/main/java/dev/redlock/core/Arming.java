package dev.redlock.core;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when an unarmed node may grant locks, and arms it ({@link ArmableNode}).
 *
 * <p>Only an armed incarnation of a node can grant a lock, and before a node is armed its name
 * and {@code run_id} are written to the registry of a quorum of the armable nodes. So:
 * <ul>
 * <li>a node whose incarnation is in no registry (while enough armed nodes answer that any
 * quorum's record would be seen, and every recorded incarnation is still running) was never
 * armed, granted nothing, and is armed at once: a freshly deployed node;</li>
 * <li>a node whose earlier incarnation was armed (a registry, or this engine, saw it armed with
 * another run id) restarted empty after it may have granted locks: it is armed only once it has
 * been up for the hold-out, as the Redlock specification asks;</li>
 * <li>a node whose own incarnation was armed but has lost its marker (its data was flushed) waits
 * the hold-out from when this engine first saw it so;</li>
 * <li>when nothing can be told (a recorded incarnation vanished and might have been this node, or
 * too few armed nodes answer), the node waits the hold-out, the safe choice.</li>
 * </ul>
 * A fresh deployment, where every armable node answers, none is armed and no registry has an
 * entry, is armed at once. That is also what every node restarting empty at the same moment looks
 * like to an engine that did not see the nodes before: the one case this rule cannot tell apart.
 *
 * <p>Before a node is armed, every fencing counter is copied (raised to the highest value) from
 * enough armed nodes to meet every quorum it was part of, and their registries are merged into
 * its own, so that an armed node always holds every record a quorum has written.
 */
final class Arming {

	private static final Logger logger = LoggerFactory.getLogger(Arming.class);

	private final List<LockNode> nodes;

	private final ArmableNode[] armable;

	private final String keyPrefix;

	private final Duration holdOut;

	private final Ticker ticker;

	/** Per node, the run id this engine last saw armed there. */
	private final String[] seenArmed;

	/** Per node, the run id it was first seen unarmed with, and when. */
	private final String[] unarmedRunId;

	private final long[] unarmedSince;

	private final ArmingWaits waits;

	Arming(List<LockNode> nodes, ArmableNode[] armable, String keyPrefix, Duration holdOut, Ticker ticker) {
		this.nodes = nodes;
		this.armable = armable;
		this.keyPrefix = keyPrefix;
		this.holdOut = holdOut;
		this.ticker = ticker;
		this.seenArmed = new String[nodes.size()];
		this.unarmedRunId = new String[nodes.size()];
		this.unarmedSince = new long[nodes.size()];
		this.waits = new ArmingWaits(nodes);
	}

	/**
	 * Why node {@code index} is not armed yet.
	 * @param index the node
	 * @return the wait, or {@code null} if the node is armed, not armable, or not seen unarmed
	 */
	ArmingWaits.Wait waiting(int index) {
		return this.waits.get(index);
	}

	/**
	 * Takes one probe of every node and arms each unarmed node that may be armed now. Called by one
	 * thread at a time.
	 * @param statuses the probe, one status per node
	 * @return the nodes armed now (by this instance, or by another since the probe)
	 */
	Set<Integer> armDue(List<NodeStatus> statuses) {
		long now = this.ticker.nanoTime();
		boolean seenAnyArmed = false;
		for (int i = 0; i < statuses.size(); i++) {
			NodeStatus status = statuses.get(i);
			if (this.armable[i] == null || !status.reachable() || status.runId() == null) {
				continue;
			}
			if (Boolean.TRUE.equals(status.armed())) {
				this.seenArmed[i] = status.runId();
				this.unarmedRunId[i] = null;
				this.waits.clear(i);
			}
			else if (Boolean.FALSE.equals(status.armed()) && !status.runId().equals(this.unarmedRunId[i])) {
				this.unarmedRunId[i] = status.runId();
				this.unarmedSince[i] = now;
			}
			seenAnyArmed |= this.seenArmed[i] != null;
		}
		ArmingRound round = new ArmingRound(statuses, this.nodes, this.armable, seenAnyArmed);
		if (round.unarmed.isEmpty()) {
			return Set.of();
		}
		round.readRegistries();
		Set<Integer> armed = new HashSet<>();
		for (int index : round.unarmed) {
			if (armIfDue(round, index)) {
				armed.add(index);
			}
		}
		return armed;
	}

	private boolean armIfDue(ArmingRound round, int index) {
		NodeStatus status = round.statuses.get(index);
		String name = this.nodes.get(index).name();
		String runId = status.runId();
		long now = this.ticker.nanoTime();
		Duration up = RestartGuard.provenUptime(status.uptime());
		if (round.recorded(runId) && armingInProgress(index)) {
			return wait(index, "being armed by another instance", now);
		}
		// asked after the ticket, which arming turns into the marker: no arming slips between the two
		String marker = marker(index);
		if (runId.equals(marker)) {
			// armed by another instance since this probe: not a node that lost its marker
			this.seenArmed[index] = runId;
			this.waits.clear(index);
			return true;
		}
		boolean flushed = round.recorded(runId) || runId.equals(this.seenArmed[index]);
		boolean restarted = this.seenArmed[index] != null && !runId.equals(this.seenArmed[index])
				|| round.recordedOtherwise(name, runId);
		String notFresh = round.whyNotFresh();
		// a flushed node or a promoted replica was up before: its hold-out runs from when it was seen so
		boolean waitsSinceSeen = flushed;
		int needed;
		if (flushed) {
			long until = this.unarmedSince[index] + this.holdOut.toNanos();
			if (now - until < 0) {
				return wait(index, "lost its data without restarting (its arming marker is gone while this "
						+ "incarnation was armed); held out for " + ArmingWaits.millis(until - now) + "ms more", until);
			}
			needed = round.restoreSourcesNeeded();
		}
		else if (marker != null) {
			// a replica promoted by a failover: up long before, but it may lack locks its former
			// master granted
			waitsSinceSeen = true;
			round.rememberOnNodes(name, this.seenArmed[index]);
			long until = this.unarmedSince[index] + this.holdOut.toNanos();
			if (now - until < 0) {
				return wait(index, "took over from another incarnation (its arming marker is inherited: a failover); "
						+ "held out of the quorum for " + ArmingWaits.millis(until - now) + "ms more", until);
			}
			needed = round.restoreSourcesNeeded();
		}
		else if (restarted || notFresh != null) {
			String why = restarted ? "restarted empty after an earlier incarnation was armed"
					: "cannot tell whether it was armed before (" + notFresh + ")";
			round.rememberOnNodes(name, this.seenArmed[index]);
			long until = now + this.holdOut.minus(up).toNanos();
			if (up.compareTo(this.holdOut) < 0) {
				return wait(index, why + "; held out of the quorum until it has been up for " + this.holdOut.toSeconds()
						+ "s, " + ArmingWaits.millis(until - now) + "ms more", until);
			}
			needed = round.restoreSourcesNeeded();
		}
		else {
			// never armed: nothing was granted, nothing can have been forgotten
			needed = round.sources.size();
		}
		// a node kept waiting for sources (they stay unreachable) is armed with what there is after
		// one more hold-out
		boolean overdue = waitsSinceSeen ? now - (this.unarmedSince[index] + 2 * this.holdOut.toNanos()) >= 0
				: up.compareTo(this.holdOut.multipliedBy(2)) >= 0;
		if (round.sources.size() < needed && !overdue) {
			return wait(index, "waits for " + needed + " armed nodes to restore its fencing counters from ("
					+ round.sources.size() + " answered)", now);
		}
		return arm(round, index, needed, overdue);
	}

	// the run id the node's marker names, or null; an unarmed node's names another incarnation
	// (a replica promoted by a failover inherits its former master's marker)
	private String marker(int index) {
		try {
			return this.armable[index].armedIncarnation();
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

	private boolean armingInProgress(int index) {
		try {
			return this.armable[index].isBeingArmed();
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	private boolean arm(ArmingRound round, int index, int needed, boolean overdue) {
		ArmableNode node = this.armable[index];
		String name = this.nodes.get(index).name();
		String runId = round.statuses.get(index).runId();
		int restoredFrom;
		try {
			String ticket = node.beginArming();
			restoredFrom = round.restore(index, this.keyPrefix);
			int restored = restoredFrom;
			if (restored < needed) {
				if (!overdue) {
					return wait(index, "restored its fencing counters from " + restored + " of the " + needed
							+ " armed nodes needed", this.ticker.nanoTime());
				}
				logger.warn("Redlock node {} is armed with fencing counters restored from {} of the {} nodes needed; a "
						+ "fencing token of a key last locked while it and the missing nodes were down may repeat", name,
						restored, needed);
			}
			int recorded = round.record(name, runId);
			if (recorded < round.quorum()) {
				return wait(index, "its incarnation was recorded on " + recorded + " of the " + round.quorum()
						+ " nodes needed before it may be armed", this.ticker.nanoTime());
			}
			if (!node.arm(ticket, runId)) {
				return wait(index, "restarted while it was being armed", this.ticker.nanoTime());
			}
		}
		catch (RuntimeException ex) {
			return wait(index, "arming failed: " + NodeFailure.describe(ex), this.ticker.nanoTime());
		}
		this.seenArmed[index] = runId;
		this.waits.clear(index);
		if (needed == 0 && restoredFrom == 0) {
			logger.info("Redlock node {} is armed: it was never armed before, so it counts toward the quorum at once",
					name);
		}
		else {
			logger.info("Redlock node {} is armed: it counts toward the quorum (fencing counters and registry restored "
					+ "from {} nodes)", name, restoredFrom);
		}
		return true;
	}

	private boolean wait(int index, String reason, long untilNanos) {
		return this.waits.waitFor(index, reason, untilNanos);
	}

}
