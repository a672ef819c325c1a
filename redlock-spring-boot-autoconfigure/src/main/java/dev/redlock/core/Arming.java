package dev.redlock.core;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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
 * <li>a node with another incarnation than the armed one that had been up for the hold-out when
 * this engine first saw it so is taken for a replica promoted by a failover (with its former
 * master's marker, or without it if the failover lost that too): it waits the hold-out from then
 * (a node restarted long before this engine first saw it waits too, the safe side);</li>
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

	private final List<LockNode> nodes;

	private final ArmableNode[] armable;

	private final Duration holdOut;

	private final Ticker ticker;

	/** Per node, the run id this engine last saw armed there. */
	private final String[] seenArmed;

	/** Per node, the run id it was first seen unarmed with, and when. */
	private final String[] unarmedRunId;

	private final long[] unarmedSince;

	/** Per node, whether it had been up for the hold-out when first seen unarmed with that run id. */
	private final boolean[] unarmedUpLong;

	/** Per node, the run id another instance's ticket was first seen on, and when. */
	private final String[] ticketRunId;

	private final long[] ticketSince;

	private final ArmingWaits waits;

	private final NodeArmer armer;

	Arming(List<LockNode> nodes, ArmableNode[] armable, String keyPrefix, Duration holdOut, Ticker ticker) {
		this.nodes = nodes;
		this.armable = armable;
		this.holdOut = holdOut;
		this.ticker = ticker;
		this.seenArmed = new String[nodes.size()];
		this.unarmedRunId = new String[nodes.size()];
		this.unarmedSince = new long[nodes.size()];
		this.unarmedUpLong = new boolean[nodes.size()];
		this.ticketRunId = new String[nodes.size()];
		this.ticketSince = new long[nodes.size()];
		this.waits = new ArmingWaits(nodes);
		this.armer = new NodeArmer(nodes, armable, keyPrefix);
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
				this.ticketRunId[i] = null;
				this.waits.clear(i);
			}
			else if (Boolean.FALSE.equals(status.armed()) && !status.runId().equals(this.unarmedRunId[i])) {
				this.unarmedRunId[i] = status.runId();
				this.unarmedSince[i] = now;
				this.unarmedUpLong[i] = RestartGuard.provenUptime(status.uptime()).compareTo(this.holdOut) >= 0;
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
		if (round.recorded(runId) && this.armer.beingArmed(index)) {
			if (!ticketOutlived(index, runId, now)) {
				return wait(index, "being armed by another instance", now);
			}
		}
		else {
			// no ticket now: the next one seen is timed from then
			this.ticketRunId[index] = null;
		}
		// asked after the ticket, which arming turns into the marker: no arming slips between the two
		String marker = this.armer.marker(index);
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
		else if (marker != null || restarted && this.unarmedUpLong[index]) {
			// a replica promoted by a failover: up long before, but it may lack locks its former master
			// granted, from when it took over (at the latest when this engine first saw it so); without
			// the marker if the failover lost that too (up for the hold-out already when first seen so,
			// so not just restarted)
			waitsSinceSeen = true;
			round.rememberOnNodes(name, this.seenArmed[index]);
			long until = this.unarmedSince[index] + this.holdOut.toNanos();
			if (now - until < 0) {
				return wait(index, "took over from another incarnation (" + ((marker != null)
						? "its arming marker is inherited: a failover" : "without its arming marker: a failover that lost it")
						+ "); held out of the quorum for " + ArmingWaits.millis(until - now) + "ms more", until);
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

	// another instance's ticket seen all along for a hold-out was most likely left by an instance
	// that stopped mid-arming (one that gives up ends its ticket, unless that call fails too):
	// arming goes on without it; an instance still at it only fails its own last step
	private boolean ticketOutlived(int index, String runId, long now) {
		if (!runId.equals(this.ticketRunId[index])) {
			this.ticketRunId[index] = runId;
			this.ticketSince[index] = now;
		}
		return now - (this.ticketSince[index] + this.holdOut.toNanos()) >= 0;
	}

	private boolean arm(ArmingRound round, int index, int needed, boolean overdue) {
		String notArmed = this.armer.arm(round, index, needed, overdue);
		if (notArmed != null) {
			return wait(index, notArmed, this.ticker.nanoTime());
		}
		this.seenArmed[index] = round.statuses.get(index).runId();
		this.waits.clear(index);
		return true;
	}

	private boolean wait(int index, String reason, long untilNanos) {
		return this.waits.waitFor(index, reason, untilNanos);
	}

}
