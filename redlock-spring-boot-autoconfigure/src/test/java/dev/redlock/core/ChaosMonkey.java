package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

import dev.redlock.test.DelayProxy;
import dev.redlock.test.RedisServerProcess;

/**
 * Breaks a minority of the Redis nodes, over and over, from its own thread: kills a node and
 * restarts it empty, pauses it ({@code DEBUG SLEEP}), or slows the proxied links to it, then heals
 * it. It never lets more than {@link #MAX_FAULTY} nodes be faulty at once, and it counts a
 * restarted node as faulty until an engine has armed it again (its arming marker is back, set
 * once its fencing counters are restored): a node that lost its data and is not restored yet is as
 * good as down, and a second restart meanwhile would empty a majority.
 *
 * <p>Every decision comes from one seeded {@link Random}; a seed makes the same choices, though
 * timing decides when a choice is due and which nodes are healthy to choose from, so two runs
 * with one seed differ. It keeps a log of what it did, for the report of a failed run.
 */
final class ChaosMonkey {

	/** The most nodes that are faulty at the same time: a minority of five. */
	static final int MAX_FAULTY = 2;

	private static final int LOG_SIZE = 100_000;

	private static final long NOT_FAULTY = Long.MIN_VALUE;

	private static final long UNTIL_HEALED = Long.MAX_VALUE;

	enum Fault {

		KILL, PAUSE, SLOW

	}

	private record Active(Fault fault, List<Integer> nodes, long healAt) {
	}

	/**
	 * One thing the monkey did.
	 * @param at when, as {@link System#nanoTime()}
	 * @param text what, with the time since the origin
	 */
	record Event(long at, String text) {
	}

	private final List<RedisServerProcess> servers;

	private final List<List<DelayProxy>> proxiesByNode;

	private final boolean[][] proxied;

	private final Random random;

	private final String armedMarker;

	/** Restarted nodes that no engine has armed again yet. */
	private final List<Integer> rearming = new ArrayList<>();

	private final long origin;

	private final ScheduledExecutorService thread;

	/** Per node: until when ({@link System#nanoTime()}) it is down, paused or held out. */
	private final AtomicLongArray faultyUntil;

	/** Per node: until when the proxied links to it are slow. */
	private final AtomicLongArray slowUntil;

	private final List<Active> active = new ArrayList<>();

	private final Deque<Event> log = new ArrayDeque<>();

	private final Map<String, Long> failuresLogged = new ConcurrentHashMap<>();

	private final AtomicInteger kills = new AtomicInteger();

	private final AtomicInteger pauses = new AtomicInteger();

	private final AtomicInteger slowdowns = new AtomicInteger();

	private final AtomicInteger failures = new AtomicInteger();

	private final List<String> failedFaults = new CopyOnWriteArrayList<>();

	private volatile long injectUntil;

	private long nextInjection;

	private ScheduledFuture<?> ticks;

	/**
	 * @param servers the nodes
	 * @param proxiesByNode per node, the proxies in front of it (one per client that connects
	 * through a proxy)
	 * @param proxied per client and node, whether that client reaches that node through a proxy
	 * @param random the source of every decision
	 * @param armedMarker the engines' arming marker key, such as {@code test:__redlock_armed__}
	 * @param origin the {@link System#nanoTime()} that log times count from
	 */
	ChaosMonkey(List<RedisServerProcess> servers, List<List<DelayProxy>> proxiesByNode, boolean[][] proxied,
			Random random, String armedMarker, long origin) {
		this.servers = servers;
		this.proxiesByNode = proxiesByNode;
		this.proxied = proxied;
		this.random = random;
		this.armedMarker = armedMarker;
		this.origin = origin;
		this.faultyUntil = new AtomicLongArray(servers.size());
		this.slowUntil = new AtomicLongArray(servers.size());
		for (int i = 0; i < servers.size(); i++) {
			this.faultyUntil.set(i, NOT_FAULTY);
			this.slowUntil.set(i, NOT_FAULTY);
		}
		this.thread = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "chaos-monkey");
			thread.setDaemon(true);
			return thread;
		});
	}

	/**
	 * Starts breaking nodes, until {@code until}; after it, faults still active are healed on
	 * schedule but no new ones are made.
	 * @param tick how often the monkey looks at its faults
	 * @param until the {@link System#nanoTime()} after which no new fault is made
	 */
	void start(Duration tick, long until) {
		this.injectUntil = until;
		this.nextInjection = System.nanoTime();
		this.ticks = this.thread.scheduleWithFixedDelay(this::tick, 0, tick.toNanos(), TimeUnit.NANOSECONDS);
	}

	/**
	 * Stops making faults and heals every node: restarts the killed ones and takes the delay off
	 * every link. A paused node wakes up by itself.
	 */
	void stopAndHeal() throws InterruptedException, ExecutionException, TimeoutException {
		this.injectUntil = System.nanoTime();
		if (this.ticks != null) {
			this.ticks.cancel(false);
		}
		this.thread.submit(() -> {
			for (Active fault : List.copyOf(this.active)) {
				heal(fault);
			}
			this.active.clear();
		}).get(60, TimeUnit.SECONDS);
		this.thread.shutdown();
	}

	/**
	 * Whether a quorum of nodes is healthy from one client's point of view: at most
	 * {@link #MAX_FAULTY} nodes are down, paused, held out after a restart, or behind a slowed link
	 * of this client.
	 * @param client the client's index
	 * @param now {@link System#nanoTime()}
	 * @return {@code true} if at least three of five nodes are healthy for this client
	 */
	boolean quorumHealthy(int client, long now) {
		int faulty = 0;
		for (int node = 0; node < this.servers.size(); node++) {
			if (isFaulty(this.faultyUntil.get(node), now)
					|| (this.proxied[client][node] && isFaulty(this.slowUntil.get(node), now))) {
				faulty++;
			}
		}
		return faulty <= MAX_FAULTY;
	}

	private static boolean isFaulty(long until, long now) {
		return until != NOT_FAULTY && (until == UNTIL_HEALED || until - now > 0);
	}

	private void tick() {
		try {
			for (Iterator<Integer> nodes = this.rearming.iterator(); nodes.hasNext();) {
				int node = nodes.next();
				if (isArmed(node)) {
					nodes.remove();
					this.faultyUntil.set(node, System.nanoTime());
					log("n" + node + " armed again");
				}
			}
			long now = System.nanoTime();
			for (Iterator<Active> faults = this.active.iterator(); faults.hasNext();) {
				Active fault = faults.next();
				if (fault.healAt() - now <= 0) {
					heal(fault);
					faults.remove();
				}
			}
			now = System.nanoTime();
			if (now - this.injectUntil < 0 && now - this.nextInjection >= 0) {
				inject(now);
				this.nextInjection = System.nanoTime() + millis(100, 600);
			}
		}
		catch (RuntimeException | Error ex) {
			// a failed fault must not stop the monkey: scheduleWithFixedDelay ends on an exception
			this.failures.incrementAndGet();
			this.failedFaults.add(ex.toString());
			log("fault failed: " + ex);
		}
	}

	private boolean isArmed(int node) {
		try {
			return Long.valueOf(1).equals(this.servers.get(node).call("EXISTS", this.armedMarker));
		}
		catch (RuntimeException ex) {
			return false; // asked again at the next tick
		}
	}

	private void inject(long now) {
		List<Integer> healthy = new ArrayList<>();
		int faulty = 0;
		for (int node = 0; node < this.servers.size(); node++) {
			if (isFaulty(this.faultyUntil.get(node), now) || isFaulty(this.slowUntil.get(node), now)) {
				faulty++;
			}
			else {
				healthy.add(node);
			}
		}
		int slots = MAX_FAULTY - faulty;
		if (slots <= 0 || healthy.isEmpty()) {
			return;
		}
		int count = 1 + this.random.nextInt(Math.min(slots, healthy.size()));
		List<Integer> victims = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			victims.add(healthy.remove(this.random.nextInt(healthy.size())));
		}
		Fault fault = Fault.values()[this.random.nextInt(Fault.values().length)];
		switch (fault) {
			case KILL -> {
				long down = millis(0, 400);
				for (int node : victims) {
					this.faultyUntil.set(node, UNTIL_HEALED);
					this.servers.get(node).kill();
				}
				this.kills.addAndGet(victims.size());
				log("kill " + names(victims) + ", restart in " + TimeUnit.NANOSECONDS.toMillis(down) + "ms");
				this.active.add(new Active(fault, victims, System.nanoTime() + down));
			}
			case PAUSE -> {
				long pause = millis(200, 1000);
				for (int node : victims) {
					// a little longer than the sleep: the node answers the backlog first
					this.faultyUntil.set(node, System.nanoTime() + pause + TimeUnit.MILLISECONDS.toNanos(100));
					this.servers.get(node).pause(Duration.ofNanos(pause));
				}
				this.pauses.addAndGet(victims.size());
				log("pause " + names(victims) + " for " + TimeUnit.NANOSECONDS.toMillis(pause) + "ms");
				this.active.add(new Active(fault, victims, System.nanoTime() + pause));
			}
			case SLOW -> {
				long slow = millis(300, 1500);
				StringBuilder delays = new StringBuilder();
				for (int node : victims) {
					this.slowUntil.set(node, UNTIL_HEALED);
					for (DelayProxy proxy : this.proxiesByNode.get(node)) {
						Duration delay = Duration.ofMillis(30 + this.random.nextInt(51));
						proxy.setDelay(delay);
						delays.append(' ').append(delay.toMillis()).append("ms");
					}
				}
				this.slowdowns.addAndGet(victims.size());
				log("slow links to " + names(victims) + " by" + delays + " each way for "
						+ TimeUnit.NANOSECONDS.toMillis(slow) + "ms");
				this.active.add(new Active(fault, victims, System.nanoTime() + slow));
			}
		}
	}

	private void heal(Active fault) {
		switch (fault.fault()) {
			case KILL -> {
				for (int node : fault.nodes()) {
					this.servers.get(node).restart();
					// faulty until an engine has restored and armed it (tick() looks for the marker)
					this.faultyUntil.set(node, UNTIL_HEALED);
					this.rearming.add(node);
				}
				log("restarted " + names(fault.nodes()) + " empty");
			}
			case PAUSE -> log("pause of " + names(fault.nodes()) + " over");
			case SLOW -> {
				for (int node : fault.nodes()) {
					for (DelayProxy proxy : this.proxiesByNode.get(node)) {
						proxy.setDelay(Duration.ZERO);
					}
					this.slowUntil.set(node, NOT_FAULTY);
				}
				log("links to " + names(fault.nodes()) + " fast again");
			}
		}
	}

	private long millis(int from, int to) {
		return TimeUnit.MILLISECONDS.toNanos(from + this.random.nextInt(to - from + 1));
	}

	private static String names(List<Integer> nodes) {
		return nodes.stream().map((node) -> "n" + node).toList().toString();
	}

	/**
	 * Notes a node call that failed (not one that timed out), once a second per client, node and
	 * error, so that a report shows how each client saw a fault.
	 * @param client the client
	 * @param node the node, as the client names it
	 * @param detail the error
	 */
	void nodeFailed(String client, String node, String detail) {
		String failure = client + " saw " + node + " fail: " + detail;
		long now = System.nanoTime();
		Long last = this.failuresLogged.get(failure);
		if (last == null || now - last > TimeUnit.SECONDS.toNanos(1)) {
			if (this.failuresLogged.size() > 10_000) {
				this.failuresLogged.clear();
			}
			this.failuresLogged.put(failure, now);
			log(failure);
		}
	}

	private void log(String event) {
		long now = System.nanoTime();
		String line = String.format(Locale.ROOT, "%9.3fs %s", (now - this.origin) / 1e9, event);
		synchronized (this.log) {
			this.log.addLast(new Event(now, line));
			if (this.log.size() > LOG_SIZE) {
				this.log.removeFirst();
			}
		}
	}

	/**
	 * The events kept (the last 100,000) that happened between two times, oldest first.
	 * @param from the earliest {@link System#nanoTime()}
	 * @param to the latest {@link System#nanoTime()}
	 * @return the events
	 */
	List<String> events(long from, long to) {
		synchronized (this.log) {
			return this.log.stream().filter((event) -> event.at() - from >= 0 && event.at() - to <= 0)
				.map(Event::text).toList();
		}
	}

	int kills() {
		return this.kills.get();
	}

	int pauses() {
		return this.pauses.get();
	}

	int slowdowns() {
		return this.slowdowns.get();
	}

	int failures() {
		return this.failures.get();
	}

	/**
	 * The faults that could not be injected or healed (a refused {@code DEBUG SLEEP}, a restart
	 * that failed), which make the run prove less than it claims.
	 * @return what went wrong, in order
	 */
	List<String> failedFaults() {
		return List.copyOf(this.failedFaults);
	}

}
