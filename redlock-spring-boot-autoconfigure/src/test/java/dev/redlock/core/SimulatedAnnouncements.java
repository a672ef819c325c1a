package dev.redlock.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A simulated node's release channel, as Redis Pub/Sub serves the driver's announced releases: a
 * subscription is confirmed a round trip after it is asked for; a key announced by a release
 * reaches each confirmed subscription a one-way latency later. A restart drops the subscriptions'
 * connections: each is confirmed again a round trip after the first announcement that finds the
 * node restarted, and misses what is announced before (a real listener reconnects as soon as the
 * node is up, so it misses less; a missed announcement only leaves a waiter to its retry delay).
 */
final class SimulatedAnnouncements {

	private final SimulatedNode node;

	private final EngineSimulation sim;

	/** In the order they were asked for, so that a seed delivers in one order. */
	private final List<Subscriber> subscribers = new ArrayList<>();

	SimulatedAnnouncements(SimulatedNode node, EngineSimulation sim) {
		this.node = node;
		this.sim = sim;
	}

	/** A subscription asked for now, confirmed a round trip later. */
	AnnouncingNode.Subscription subscribe(Consumer<String> listener) {
		Subscriber subscriber = new Subscriber(listener);
		this.subscribers.add(subscriber);
		return subscriber;
	}

	/** The keys a release deleted, announced in the same step. */
	void announce(List<String> keys) {
		for (Subscriber subscriber : List.copyOf(this.subscribers)) {
			if (subscriber.confirmed()) {
				for (String key : keys) {
					this.sim.after(this.node.latency(), () -> subscriber.deliver(key));
				}
			}
		}
	}

	private final class Subscriber implements AnnouncingNode.Subscription {

		private final Consumer<String> listener;

		private int incarnation;

		private long confirmedAt;

		private boolean closed;

		Subscriber(Consumer<String> listener) {
			this.listener = listener;
			connect();
		}

		private void connect() {
			this.incarnation = SimulatedAnnouncements.this.node.incarnation();
			this.confirmedAt = SimulatedAnnouncements.this.sim.now() + 2 * SimulatedAnnouncements.this.node.latency();
		}

		/** Whether an announcement now reaches it; reconnects if the node restarted. */
		boolean confirmed() {
			if (this.incarnation != SimulatedAnnouncements.this.node.incarnation()) {
				connect();
				return false;
			}
			return SimulatedAnnouncements.this.sim.now() >= this.confirmedAt;
		}

		void deliver(String key) {
			if (!this.closed) {
				SimulatedAnnouncements.this.sim.tally.announcementsHeard++;
				this.listener.accept(key);
			}
		}

		@Override
		public boolean isActive() {
			return !this.closed && !SimulatedAnnouncements.this.node.isDown()
					&& this.incarnation == SimulatedAnnouncements.this.node.incarnation()
					&& SimulatedAnnouncements.this.sim.now() >= this.confirmedAt;
		}

		@Override
		public void close() {
			this.closed = true;
			SimulatedAnnouncements.this.subscribers.remove(this);
		}

	}

}
