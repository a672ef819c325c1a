package dev.redlock.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The bookkeeping of {@link ReleaseNotifications} under many threads that begin and end waits at
 * once: each node has exactly one subscription while any thread waits, never two, and none once
 * an idle spell has passed without waiters or the notifications are closed. The nodes are fakes
 * that count subscriptions (what a subscription does on a real node is {@code ReleaseListeningTests}').
 */
class ReleaseNotificationsTests {

	private static final Duration IDLE_SPELL = Duration.ofMillis(20);

	private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

	private final ExecutorService threads = Executors.newFixedThreadPool(8);

	private final List<CountingNode> nodes = List.of(new CountingNode("a"), new CountingNode("b"), new CountingNode("c"));

	private final ReleaseNotifications notifications = new ReleaseNotifications(new Members(List.<LockNode>copyOf(this.nodes)),
			"test:released", new LocalWaiters(),
			(task, delayNanos) -> this.timer.schedule(task, delayNanos, TimeUnit.NANOSECONDS), IDLE_SPELL, Ticker.SYSTEM);

	@AfterEach
	void stop() {
		this.threads.shutdownNow();
		this.timer.shutdownNow();
	}

	@Test
	void concurrentWaitersShouldHaveExactlyOneSubscriptionPerNodeAndNoneAfterAnIdleSpell() throws Exception {
		AtomicInteger unheard = new AtomicInteger();
		int rounds = 5;
		for (int round = 0; round < rounds; round++) {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<?>> runs = new ArrayList<>();
			for (int t = 0; t < 8; t++) {
				runs.add(this.threads.submit(() -> {
					start.await();
					for (int i = 0; i < 2_000; i++) {
						try (ReleaseNotifications.Wait wait = this.notifications.waiter()) {
							wait.begin();
							wait.begin();
							for (CountingNode node : this.nodes) {
								if (node.open.get() != 1) {
									unheard.incrementAndGet();
								}
							}
						}
					}
					return null;
				}));
			}
			start.countDown();
			for (Future<?> run : runs) {
				run.get(60, TimeUnit.SECONDS);
			}
			// each round's waiters leave: listening stops after the idle spell, the next round starts it again
			await().atMost(Duration.ofSeconds(10))
				.until(() -> this.nodes.stream().allMatch((node) -> node.open.get() == 0));
		}
		assertThat(unheard).as("a waiting thread found a node not subscribed, or subscribed twice").hasValue(0);
		for (CountingNode node : this.nodes) {
			assertThat(node.mostOpen).as("subscriptions open at once on %s", node.name()).hasValue(1);
			assertThat(node.opened.get()).as("subscriptions started on %s", node.name()).isGreaterThanOrEqualTo(rounds);
			assertThat(node.closed).as("every subscription of %s closed", node.name()).hasValue(node.opened.get());
		}
	}

	@Test
	void theIdleCheckShouldStopListeningOnlyWhenNoThreadWaitsAndTheSpellHasPassed() {
		List<Runnable> due = new ArrayList<>();
		List<Long> delays = new ArrayList<>();
		ReleaseNotifications.Timer manual = (task, delayNanos) -> {
			due.add(task);
			delays.add(delayNanos);
			return new CompletableFuture<Void>();
		};
		ReleaseNotifications instant = new ReleaseNotifications(new Members(List.<LockNode>copyOf(this.nodes)),
				"test:released", new LocalWaiters(), manual, Duration.ZERO, Ticker.SYSTEM);
		ReleaseNotifications.Wait first = instant.waiter();
		first.begin();
		first.close();
		assertThat(due).as("the last waiter to leave schedules one idle check").hasSize(1);
		ReleaseNotifications.Wait second = instant.waiter();
		second.begin();
		runAll(due);
		assertThat(this.nodes).as("a thread waits again: still listening").allMatch((node) -> node.open.get() == 1);
		second.close();
		runAll(due);
		assertThat(this.nodes).as("nobody waits and the spell has passed").allMatch((node) -> node.open.get() == 0);
		try (ReleaseNotifications.Wait third = instant.waiter()) {
			third.begin();
			assertThat(this.nodes).as("the next waiter listens again").allMatch((node) -> node.opened.get() == 2);
		}
		ReleaseNotifications patient = new ReleaseNotifications(new Members(List.<LockNode>copyOf(this.nodes)),
				"test:released", new LocalWaiters(), manual, Duration.ofHours(1), Ticker.SYSTEM);
		try (ReleaseNotifications.Wait wait = patient.waiter()) {
			wait.begin();
		}
		delays.clear();
		runAll(due);
		assertThat(this.nodes).as("checked before the spell has passed").allMatch((node) -> node.open.get() == 1);
		assertThat(delays).as("looks again when the spell will have passed").hasSize(1);
		assertThat(delays.get(0)).isGreaterThan(Duration.ofMinutes(59).toNanos());
	}

	private static void runAll(List<Runnable> due) {
		List<Runnable> now = new ArrayList<>(due);
		due.clear();
		now.forEach(Runnable::run);
	}

	@Test
	void closeShouldEndListeningAndNoWaiterShouldStartItAgain() {
		ReleaseNotifications.Wait first = this.notifications.waiter();
		first.begin();
		assertThat(this.nodes).allMatch((node) -> node.open.get() == 1);
		this.notifications.close();
		assertThat(this.nodes).allMatch((node) -> node.open.get() == 0);
		try (ReleaseNotifications.Wait late = this.notifications.waiter()) {
			late.begin();
			assertThat(this.nodes).allMatch((node) -> node.open.get() == 0 && node.opened.get() == 1);
		}
		first.close();
		assertThat(this.notifications.listeners()).isZero();
	}

	@Test
	void withoutAChannelNothingShouldBeSubscribed() {
		ReleaseNotifications silent = new ReleaseNotifications(new Members(List.<LockNode>copyOf(this.nodes)), null,
				new LocalWaiters(), (task, delayNanos) -> this.timer.schedule(task, delayNanos, TimeUnit.NANOSECONDS),
				IDLE_SPELL, Ticker.SYSTEM);
		try (ReleaseNotifications.Wait wait = silent.waiter()) {
			wait.begin();
			assertThat(this.nodes).allMatch((node) -> node.opened.get() == 0);
		}
	}

	@Test
	void aNodeThatCannotSubscribeOrUnsubscribeShouldNotKeepTheOthersListeningOrFailTheWaiter() {
		this.nodes.get(1).refuses = true;
		this.nodes.get(0).closeFails = true;
		try (ReleaseNotifications.Wait wait = this.notifications.waiter()) {
			wait.begin();
			assertThat(this.nodes.get(0).open).as("a listens").hasValue(1);
			assertThat(this.nodes.get(1).open).as("b refused").hasValue(0);
			assertThat(this.nodes.get(2).open).as("c listens").hasValue(1);
		}
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(this.nodes).as("every subscription closed after the idle spell, also "
					+ "those after one whose close failed").allMatch((node) -> node.open.get() == 0));
		assertThat(this.nodes.get(2).closed).hasValue(1);
	}

	/** A node that counts the subscriptions opened and closed on it. */
	private static final class CountingNode implements LockNode, AnnouncingNode {

		private final String name;

		final AtomicInteger open = new AtomicInteger();

		final AtomicInteger opened = new AtomicInteger();

		final AtomicInteger closed = new AtomicInteger();

		final AtomicInteger mostOpen = new AtomicInteger();

		/** Whether starting a subscription fails, as a node that cannot be reached may. */
		volatile boolean refuses;

		/** Whether closing a subscription fails (after it closed). */
		volatile boolean closeFails;

		CountingNode(String name) {
			this.name = name;
		}

		@Override
		public Subscription listenForReleases(String channel, Consumer<String> listener) {
			if (this.refuses) {
				throw new IllegalStateException(this.name + " refuses subscriptions");
			}
			this.opened.incrementAndGet();
			this.mostOpen.accumulateAndGet(this.open.incrementAndGet(), Math::max);
			AtomicInteger once = new AtomicInteger();
			return new Subscription() {

				@Override
				public boolean isActive() {
					return once.get() == 0;
				}

				@Override
				public void close() {
					if (once.getAndIncrement() == 0) {
						CountingNode.this.open.decrementAndGet();
						CountingNode.this.closed.incrementAndGet();
					}
					if (CountingNode.this.closeFails) {
						throw new IllegalStateException(CountingNode.this.name + " failed to close a subscription");
					}
				}

			};
		}

		@Override
		public boolean releaseHeld(List<String> keys, String token, String channel) {
			throw new UnsupportedOperationException("not used here");
		}

		@Override
		public String name() {
			return this.name;
		}

		@Override
		public boolean tryAcquire(List<String> keys, String token, long ttlMillis) {
			throw new UnsupportedOperationException("not used here");
		}

		@Override
		public boolean release(List<String> keys, String token) {
			throw new UnsupportedOperationException("not used here");
		}

		@Override
		public boolean extend(List<String> keys, String token, long ttlMillis) {
			throw new UnsupportedOperationException("not used here");
		}

		@Override
		public void close() {
		}

	}

}
