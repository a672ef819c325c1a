package dev.redlock.core;

import java.util.Arrays;

/**
 * The simulation's pending events: a binary heap ordered by time, and by the order of scheduling
 * among events of the same time, so that a run is deterministic. Kept in parallel arrays, as the
 * simulation schedules tens of millions of events.
 */
final class EventQueue {

	private long[] times = new long[1024];

	private long[] orders = new long[1024];

	private Runnable[] actions = new Runnable[1024];

	private int size;

	private long scheduled;

	boolean isEmpty() {
		return this.size == 0;
	}

	/** The time of the next event; the queue must not be empty. */
	long nextTime() {
		return this.times[0];
	}

	void add(long time, Runnable action) {
		if (this.size == this.times.length) {
			int capacity = 2 * this.size;
			this.times = Arrays.copyOf(this.times, capacity);
			this.orders = Arrays.copyOf(this.orders, capacity);
			this.actions = Arrays.copyOf(this.actions, capacity);
		}
		long order = this.scheduled++;
		int at = this.size++;
		while (at > 0) {
			int parent = (at - 1) >>> 1;
			if (!before(time, order, this.times[parent], this.orders[parent])) {
				break;
			}
			move(parent, at);
			at = parent;
		}
		set(at, time, order, action);
	}

	/** Removes the next event and returns its action; {@link #nextTime()} was its time. */
	Runnable poll() {
		Runnable first = this.actions[0];
		int last = --this.size;
		long time = this.times[last];
		long order = this.orders[last];
		Runnable action = this.actions[last];
		this.actions[last] = null;
		int at = 0;
		int half = last >>> 1;
		while (at < half) {
			int child = 2 * at + 1;
			int right = child + 1;
			if (right < last && before(this.times[right], this.orders[right], this.times[child], this.orders[child])) {
				child = right;
			}
			if (!before(this.times[child], this.orders[child], time, order)) {
				break;
			}
			move(child, at);
			at = child;
		}
		if (last > 0) {
			set(at, time, order, action);
		}
		return first;
	}

	private static boolean before(long time, long order, long otherTime, long otherOrder) {
		return time < otherTime || (time == otherTime && order < otherOrder);
	}

	private void move(int from, int to) {
		this.times[to] = this.times[from];
		this.orders[to] = this.orders[from];
		this.actions[to] = this.actions[from];
	}

	private void set(int at, long time, long order, Runnable action) {
		this.times[at] = time;
		this.orders[at] = order;
		this.actions[at] = action;
	}

}
