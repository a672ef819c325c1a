package dev.redlock.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Injects the faults of a phase, one decision at a time from one seeded {@link Random}, on the
 * calling thread: every 20 ms it heals what is due, moves fast clocks on, and now and then
 * injects a new fault of a random kind of the phase. At most {@value #MAX_FAULTY_NODES} nodes are
 * faulty at once (partitioned, killed or restarted but not armed again, frozen, or with a clock
 * that moved within the last lease), except that one client alone may be cut off from three nodes
 * while nothing else is wrong; at most one client is paused at a time.
 */
final class FaultInjector {

	static final int MAX_FAULTY_NODES = 2;

	private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

	private final LockNodes nodes;

	private final List<ClientProcess> clients;

	private final ClientNetwork network;

	private final Random random;

	private final FaultLog log;

	private final long leaseNanos;

	/** Per node: until when it counts as faulty ({@link System#nanoTime()}). */
	private final long[] faultyUntil;

	private final List<Active> active = new ArrayList<>();

	private final boolean guarded;

	/** Restarted nodes that no client has armed again yet: faulty until then. */
	private final List<Integer> rearming = new ArrayList<>();

	/**
	 * A fault in force, healed at {@code healAt}.
	 */
	private static final class Active {

		final FaultKind kind;

		final List<Integer> nodes;

		final int client;

		final long healAt;

		final double fastRate;

		long lastStep;

		Active(FaultKind kind, List<Integer> nodes, int client, long healAt, double fastRate) {
			this.kind = kind;
			this.nodes = nodes;
			this.client = client;
			this.healAt = healAt;
			this.fastRate = fastRate;
			this.lastStep = System.nanoTime();
		}

	}

	/**
	 * @param nodes the nodes
	 * @param clients the client JVMs
	 * @param network their network
	 * @param random the source of every decision
	 * @param log where every action goes
	 * @param lease the clients' lease
	 * @param guarded whether the clients run the restart guard: without it a node restarted empty is
	 * never armed again and counts as healthy at once (the negative control
	 * {@link Sabotage#RESTART_GUARD_OFF})
	 */
	FaultInjector(LockNodes nodes, List<ClientProcess> clients, ClientNetwork network, Random random, FaultLog log,
			Duration lease, boolean guarded) {
		this.guarded = guarded;
		this.nodes = nodes;
		this.clients = clients;
		this.network = network;
		this.random = random;
		this.log = log;
		this.leaseNanos = lease.toNanos();
		this.faultyUntil = new long[nodes.size()];
		long now = System.nanoTime();
		for (int node = 0; node < nodes.size(); node++) {
			this.faultyUntil[node] = now;
		}
	}

	/**
	 * Injects faults of the phase's kinds until {@code until}, then heals everything.
	 * @param phase the phase
	 * @param until the {@link System#nanoTime()} to stop at
	 */
	void run(Phase phase, long until) {
		// kinds are drawn from a deck, so that with several kinds each comes up before any repeats
		List<FaultKind> deck = new ArrayList<>();
		long nextInjection = System.nanoTime() + millis(100, 400);
		for (long now = System.nanoTime(); now - until < 0; now = System.nanoTime()) {
			rearmed();
			healDue(now);
			stepFastClocks(now);
			if (!phase.kinds().isEmpty() && now - nextInjection >= 0) {
				if (deck.isEmpty()) {
					deck.addAll(phase.kinds());
				}
				FaultKind kind = deck.get(this.random.nextInt(deck.size()));
				try {
					if (inject(kind, System.nanoTime())) {
						deck.remove(kind);
					}
				}
				catch (RuntimeException ex) {
					this.log.failed(kind + ": " + ex);
				}
				nextInjection = System.nanoTime() + millis(150, 600);
			}
			sleepUntil(Math.min(now + TICK_NANOS, until));
		}
		healAll();
	}

	/** Heals every fault in force now; the next phase begins with no node faulty. */
	void healAll() {
		for (Active fault : List.copyOf(this.active)) {
			heal(fault);
		}
		this.active.clear();
		this.rearming.clear();
		Arrays.fill(this.faultyUntil, System.nanoTime());
	}

	/** Counts restarted nodes healthy again once a client has armed them (their counters restored). */
	private void rearmed() {
		for (Iterator<Integer> restarted = this.rearming.iterator(); restarted.hasNext();) {
			int node = restarted.next();
			if (this.nodes.armed(node)) {
				restarted.remove();
				this.faultyUntil[node] = System.nanoTime();
				this.log.event("n" + node + " armed again");
			}
		}
	}

	private void healDue(long now) {
		for (Iterator<Active> faults = this.active.iterator(); faults.hasNext();) {
			Active fault = faults.next();
			if (now - fault.healAt >= 0) {
				faults.remove();
				heal(fault);
			}
		}
	}

	private void stepFastClocks(long now) {
		for (Active fault : this.active) {
			if (fault.fastRate > 0) {
				long step = (long) ((now - fault.lastStep) * fault.fastRate);
				if (step >= TimeUnit.MILLISECONDS.toNanos(1)) {
					fault.lastStep = now;
					for (int node : fault.nodes) {
						this.nodes.clock(node).advance(Duration.ofNanos(step));
					}
				}
			}
		}
	}

	/** Injects a fault of the kind if the budget allows one now; says whether it did. */
	private boolean inject(FaultKind kind, long now) {
		List<Integer> healthy = new ArrayList<>();
		int faulty = 0;
		for (int node = 0; node < this.nodes.size(); node++) {
			if (this.faultyUntil[node] - now > 0) {
				faulty++;
			}
			else {
				healthy.add(node);
			}
		}
		int slots = MAX_FAULTY_NODES - faulty;
		switch (kind) {
			case CLIENT_PAUSE -> {
				return pauseClient(now);
			}
			case PARTITION_ONE -> {
				int client = this.random.nextInt(this.clients.size());
				// now and then one client is cut off from a majority, while nothing else is wrong
				int count = (faulty == 0 && this.random.nextInt(4) == 0) ? 3 : pick(slots);
				if (count > 0) {
					partition(kind, List.of(client), choose(healthy, count), now);
				}
				return count > 0;
			}
			case PARTITION_ALL -> {
				int count = pick(slots);
				if (count > 0) {
					List<Integer> everyone = new ArrayList<>();
					for (int client = 0; client < this.clients.size(); client++) {
						everyone.add(client);
					}
					partition(kind, everyone, choose(healthy, count), now);
				}
				return count > 0;
			}
			case CLOCK -> {
				List<Integer> candidates = new ArrayList<>(healthy);
				candidates.retainAll(this.nodes.clockNodes());
				int count = Math.min(pick(slots), candidates.size());
				if (count > 0) {
					moveClocks(choose(candidates, count), now);
				}
				return count > 0;
			}
			case KILL_RESTART -> {
				int count = pick(slots);
				if (count > 0) {
					List<Integer> victims = choose(healthy, count);
					for (int node : victims) {
						this.faultyUntil[node] = Long.MAX_VALUE;
						this.nodes.get(node).kill();
					}
					long down = millis(0, 800);
					this.log.injected(kind, "kill " + names(victims) + ", restart empty in " + toMillis(down) + "ms");
					this.active.add(new Active(kind, victims, -1, System.nanoTime() + down, 0));
				}
				return count > 0;
			}
			case DEBUG_SLEEP -> {
				int count = pick(slots);
				if (count > 0) {
					List<Integer> victims = choose(healthy, count);
					long sleep = millis(200, 1500);
					for (int node : victims) {
						this.faultyUntil[node] = System.nanoTime() + sleep + TimeUnit.MILLISECONDS.toNanos(100);
						this.nodes.get(node).pause(Duration.ofNanos(sleep));
					}
					this.log.injected(kind, "DEBUG SLEEP " + names(victims) + " for " + toMillis(sleep) + "ms");
					this.active.add(new Active(kind, victims, -1, System.nanoTime() + sleep, 0));
				}
				return count > 0;
			}
			default -> throw new IllegalArgumentException("Unknown fault kind " + kind);
		}
	}

	private boolean pauseClient(long now) {
		for (ClientProcess client : this.clients) {
			if (client.isSuspended()) {
				return false;
			}
		}
		// aimed at a client in a fenced hold, which writes late when it wakes: the resource must refuse it
		List<Integer> fenced = new ArrayList<>();
		for (int candidate = 0; candidate < this.clients.size(); candidate++) {
			if (this.clients.get(candidate).fencedHolds() > 0) {
				fenced.add(candidate);
			}
		}
		int client = fenced.isEmpty() ? this.random.nextInt(this.clients.size())
				: fenced.get(this.random.nextInt(fenced.size()));
		long pause = this.leaseNanos + millis(300, 2000);
		this.clients.get(client).suspend();
		this.log.injected(FaultKind.CLIENT_PAUSE, "SIGSTOP " + this.clients.get(client).name() + " for "
				+ toMillis(pause) + "ms");
		this.active.add(new Active(FaultKind.CLIENT_PAUSE, List.of(), client, now + pause, 0));
		return true;
	}

	private void partition(FaultKind kind, List<Integer> clients, List<Integer> victims, long now) {
		for (int node : victims) {
			this.faultyUntil[node] = Long.MAX_VALUE;
			for (int client : clients) {
				this.network.drop(client, this.nodes.get(node).port());
			}
		}
		long duration = millis(400, 2500);
		String who = (clients.size() == 1) ? this.clients.get(clients.get(0)).name() : "every client";
		this.log.injected(kind, "drop packets of " + who + " to " + names(victims) + " for " + toMillis(duration)
				+ "ms");
		for (int client : clients) {
			this.active.add(new Active(kind, victims, client, now + duration, 0));
		}
	}

	private void moveClocks(List<Integer> victims, long now) {
		if (this.random.nextBoolean()) {
			long jump = millis(300, 3000);
			for (int node : victims) {
				this.nodes.clock(node).advance(Duration.ofNanos(jump));
				// its keys are gone: faulty until every lock it held would have expired anyway
				this.faultyUntil[node] = System.nanoTime() + this.leaseNanos;
			}
			this.log.injected(FaultKind.CLOCK, "clock of " + names(victims) + " jumps " + toMillis(jump) + "ms ahead"
					+ (this.nodes.realClocks() ? "" : " (modelled)"));
		}
		else {
			double rate = 0.2 + 1.8 * this.random.nextDouble();
			long duration = millis(800, 2500);
			for (int node : victims) {
				this.faultyUntil[node] = Long.MAX_VALUE;
			}
			this.log.injected(FaultKind.CLOCK, String.format(Locale.ROOT,
					"clock of %s runs %.0f%% fast for %dms%s", names(victims), rate * 100, toMillis(duration),
					this.nodes.realClocks() ? "" : " (modelled)"));
			this.active.add(new Active(FaultKind.CLOCK, victims, -1, now + duration, rate));
		}
	}

	private void heal(Active fault) {
		long now = System.nanoTime();
		switch (fault.kind) {
			case CLIENT_PAUSE -> {
				this.clients.get(fault.client).resume();
				this.log.event("SIGCONT " + this.clients.get(fault.client).name());
			}
			case PARTITION_ALL, PARTITION_ONE -> {
				for (int node : fault.nodes) {
					this.network.heal(fault.client, this.nodes.get(node).port());
					if (this.active.stream().noneMatch((other) -> other.nodes.contains(node))) {
						this.faultyUntil[node] = now;
					}
				}
				this.log.event("packets of " + this.clients.get(fault.client).name() + " to " + names(fault.nodes)
						+ " pass again");
			}
			case CLOCK -> {
				for (int node : fault.nodes) {
					this.faultyUntil[node] = now + this.leaseNanos;
				}
				this.log.event("clock of " + names(fault.nodes) + " runs at the right rate again");
			}
			case KILL_RESTART -> {
				for (int node : fault.nodes) {
					this.nodes.get(node).restart();
					if (this.guarded) {
						// emptied: as good as down until a client has restored and armed it
						this.faultyUntil[node] = Long.MAX_VALUE;
						this.rearming.add(node);
					}
					else {
						this.faultyUntil[node] = System.nanoTime();
					}
				}
				this.log.event("restarted " + names(fault.nodes) + " empty");
			}
			case DEBUG_SLEEP -> this.log.event("DEBUG SLEEP of " + names(fault.nodes) + " over");
		}
	}

	private int pick(int slots) {
		return (slots <= 0) ? 0 : 1 + this.random.nextInt(slots);
	}

	private List<Integer> choose(List<Integer> from, int count) {
		List<Integer> pool = new ArrayList<>(from);
		List<Integer> chosen = new ArrayList<>();
		while (chosen.size() < count && !pool.isEmpty()) {
			chosen.add(pool.remove(this.random.nextInt(pool.size())));
		}
		return chosen;
	}

	private long millis(int from, int to) {
		return TimeUnit.MILLISECONDS.toNanos(from + this.random.nextInt(to - from + 1));
	}

	private static long toMillis(long nanos) {
		return TimeUnit.NANOSECONDS.toMillis(nanos);
	}

	private static String names(List<Integer> nodes) {
		return nodes.stream().map((node) -> "n" + node).toList().toString();
	}

	private static void sleepUntil(long deadline) {
		long left = deadline - System.nanoTime();
		if (left > 0) {
			try {
				TimeUnit.NANOSECONDS.sleep(left);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

}
