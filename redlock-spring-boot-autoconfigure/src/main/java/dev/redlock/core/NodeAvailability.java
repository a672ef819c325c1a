package dev.redlock.core;

import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which nodes can take part in a lock now, told by probes and by the answers of node calls, and
 * logged once per change: a warning when a node becomes unusable and a line when it is back; an
 * error when fewer than a quorum are usable and a line when the quorum is back.
 */
final class NodeAvailability {

	private static final Logger logger = LoggerFactory.getLogger(NodeAvailability.class);

	private final List<LockNode> nodes;

	private final int quorum;

	/** Per node: {@code TRUE} usable, {@code FALSE} not, {@code null} not seen yet. */
	private final AtomicReferenceArray<Boolean> usable;

	/** Whether a quorum was usable at the last change; {@code null} before every node was seen. */
	private Boolean quorumUsable;

	/** A lock, not a monitor: a virtual thread that logs here must not pin its carrier. */
	private final ReentrantLock quorumLock = new ReentrantLock();

	/** Set once the engine closes: calls still on their way then fail, and that is no news. */
	private volatile boolean closed;

	/** Per node: 1 once a refusal was logged while it is unusable. */
	private final AtomicIntegerArray refusalLogged;

	/** Whether an answered call tells a node is back (no restart guard); else only probes do. */
	private final boolean answersRevive;

	/**
	 * @param answersRevive whether a call that got an answer makes a node usable again; with the
	 * restart guard only a probe may (a held-out node answers releases and extensions, and still
	 * must not count)
	 */
	NodeAvailability(List<LockNode> nodes, int quorum, boolean answersRevive) {
		this.nodes = nodes;
		this.quorum = quorum;
		this.answersRevive = answersRevive;
		this.usable = new AtomicReferenceArray<>(nodes.size());
		this.refusalLogged = new AtomicIntegerArray(nodes.size());
	}

	/**
	 * A probe's verdict on a node.
	 * @param index the node
	 * @param usable whether it can take a lock now
	 * @param problem what is wrong, if it cannot
	 */
	void probed(int index, boolean usable, String problem) {
		change(index, usable, problem);
	}

	/**
	 * A call to the node got an answer (yes or no): the node works.
	 * @param index the node
	 */
	void answered(int index) {
		if (this.answersRevive && !Boolean.TRUE.equals(this.usable.get(index))) {
			change(index, true, null);
		}
	}

	/**
	 * A call to the node failed in a way that may mean it is down or restarted.
	 * @param index the node
	 * @param problem what happened
	 */
	void failed(int index, String problem) {
		if (!Boolean.FALSE.equals(this.usable.get(index))) {
			change(index, false, problem);
		}
	}

	/**
	 * A call to the node was refused: its credentials or a command. Logged also when the node is
	 * unusable already (a broken connection comes first when a node restarts with another
	 * password), once until it is usable again: that is what keeps it out, and it needs a fix.
	 * @param index the node
	 * @param problem what the node refused, and the fix
	 */
	void refused(int index, String problem) {
		if (this.refusalLogged.compareAndSet(index, 0, 1) && Boolean.FALSE.equals(this.usable.get(index))) {
			if (!this.closed) {
				logger.warn("Redlock node {} is unusable: {}", this.nodes.get(index).name(), problem);
			}
			return;
		}
		failed(index, problem);
	}

	/**
	 * The engine is closing: from now on nothing is logged (calls cut short by the closing, or
	 * still on their way to a node that went away meanwhile, say nothing about the nodes).
	 */
	void close() {
		this.closed = true;
	}

	private void change(int index, boolean now, String problem) {
		if (this.closed) {
			return;
		}
		Boolean before = this.usable.getAndSet(index, now);
		if (before != null && before == now) {
			return;
		}
		String name = this.nodes.get(index).name();
		if (!now) {
			logger.warn("Redlock node {} is unusable: {}", name, problem);
		}
		else {
			this.refusalLogged.set(index, 0);
			if (before != null) {
				logger.info("Redlock node {} is usable again", name);
			}
		}
		quorumChanged();
	}

	private void quorumChanged() {
		this.quorumLock.lock();
		try {
			logQuorum();
		}
		finally {
			this.quorumLock.unlock();
		}
	}

	private void logQuorum() {
		int usable = 0;
		for (int i = 0; i < this.usable.length(); i++) {
			Boolean state = this.usable.get(i);
			if (state == null && this.quorumUsable == null) {
				return;
			}
			usable += Boolean.TRUE.equals(state) ? 1 : 0;
		}
		boolean enough = usable >= this.quorum;
		if (this.quorumUsable != null && this.quorumUsable == enough) {
			return;
		}
		if (!enough) {
			logger.error("Only {} of {} Redlock nodes are usable; a lock needs {}: every acquisition fails until "
					+ "enough nodes are back", usable, this.nodes.size(), this.quorum);
		}
		else if (this.quorumUsable != null) {
			logger.info("A quorum of Redlock nodes is usable again ({} of {}; a lock needs {})", usable,
					this.nodes.size(), this.quorum);
		}
		this.quorumUsable = enough;
	}

	/**
	 * How many nodes were usable at their last news.
	 * @return the count
	 */
	int usableNodes() {
		int count = 0;
		for (int i = 0; i < this.usable.length(); i++) {
			count += Boolean.TRUE.equals(this.usable.get(i)) ? 1 : 0;
		}
		return count;
	}

}
