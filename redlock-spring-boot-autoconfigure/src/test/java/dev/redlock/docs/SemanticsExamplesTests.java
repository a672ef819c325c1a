package dev.redlock.docs;

import java.lang.annotation.Retention;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.annotation.AliasFor;
import org.springframework.scheduling.annotation.Scheduled;

import dev.redlock.CurrentLock;
import dev.redlock.DistributedLock;
import dev.redlock.LockHandle;
import dev.redlock.LockTemplate;
import dev.redlock.NotAcquiredPolicy;
import dev.redlock.autoconfigure.RedlockAutoConfiguration;
import dev.redlock.test.RedisServersExtension;

import static dev.redlock.docs.LockProbes.elsewhere;
import static dev.redlock.docs.LockProbes.freeForOthers;
import static dev.redlock.docs.LockProbes.heldKey;
import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.RetentionPolicy.RUNTIME;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Java examples of {@code docs/semantics.md}, as written there (its blocks are the tagged
 * regions of this file; {@code DocumentationExamplesTests} checks that they match), run on 3 real
 * nodes with every setting at its default.
 */
class SemanticsExamplesTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(3);

	/** What the examples' methods did, in order. */
	static final Queue<String> seen = new ConcurrentLinkedQueue<>();

	@BeforeEach
	void clear() {
		seen.clear();
	}

	private ApplicationContextRunner runner() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, RedlockAutoConfiguration.class))
			.withPropertyValues("redlock.nodes=" + String.join(",", redis.uris()))
			.withBean(Orders.class)
			.withBean(Settlement.class)
			.withBean(Ledger.class)
			.withBean(Postings.class)
			.withBean(Invoices.class)
			.withBean(Payments.class)
			.withBean(Transfers.class)
			.withBean(Jobs.class);
	}

	// tag::meta-annotation[]
	@Retention(RUNTIME) @Target(METHOD)
	@DistributedLock(name = "orders", leaseTime = "20s")
	@interface OrderLock {
		@AliasFor(annotation = DistributedLock.class, attribute = "key") String key();
	}
	// end::meta-annotation[]

	static class Orders {

		@OrderLock(key = "#id")
		public Duration ship(String id) {
			seen.add(heldKey());
			return CurrentLock.handle().orElseThrow().remaining();
		}

	}

	@Test
	void aComposedAnnotationShouldLockWithItsOwnAttributesAndTheAliasedKey() {
		runner().run((context) -> {
			Duration remaining = context.getBean(Orders.class).ship("o-42");
			assertThat(seen).containsExactly("redlock:orders:o-42");
			assertThat(remaining).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(20));
		});
	}

	record Batch(String id) {
	}

	static class Settlement {

		// tag::current-lock[]
		@DistributedLock(key = "#orderId", leaseTime = "30s")
		public void settle(String orderId) {
			LockHandle lock = CurrentLock.handle().orElseThrow();
			for (Batch batch : batches(orderId)) {
				if (!lock.isValid()) throw new IllegalStateException("lock lost; stopping before " + batch);
				apply(batch);
			}
		}
		// end::current-lock[]

		List<Batch> batches(String orderId) {
			return List.of(new Batch(orderId + "/1"), new Batch(orderId + "/2"));
		}

		void apply(Batch batch) {
			seen.add(batch.id() + " under " + heldKey());
		}

	}

	@Test
	void codeUnderTheLockShouldReachItsHandle() {
		runner().run((context) -> {
			context.getBean(Settlement.class).settle("o-5");
			assertThat(seen).containsExactly("o-5/1 under redlock:o-5", "o-5/2 under redlock:o-5");
		});
	}

	record Entry(String text) {
	}

	static class Postings {

		private final Ledger ledger;

		Postings(Ledger ledger) {
			this.ledger = ledger;
		}

		// tag::fencing[]
		@DistributedLock(key = "#accountId", fencing = true)
		public void post(String accountId, Entry entry) {
			long token = CurrentLock.handle().orElseThrow().fencingToken().getAsLong();
			ledger.write(accountId, entry, token);
		}
		// end::fencing[]

	}

	static class Ledger {

		private long highestToken;

		private final List<Entry> entries = new ArrayList<>();

		// tag::fencing[]

		// the resource keeps the highest token it has accepted and rejects older ones
		synchronized boolean write(String account, Entry entry, long token) {
			if (token < highestToken) return false;      // a stale holder: its lock expired meanwhile
			highestToken = token;
			entries.add(entry);
			return true;
		}
		// end::fencing[]

		synchronized long highestToken() {
			return this.highestToken;
		}

		synchronized List<Entry> entries() {
			return List.copyOf(this.entries);
		}

	}

	@Test
	void fencedHoldersShouldWriteWithRisingTokensAndAStaleTokenShouldBeRejected() {
		runner().run((context) -> {
			Postings postings = context.getBean(Postings.class);
			Ledger ledger = context.getBean(Ledger.class);
			postings.post("acc-1", new Entry("first"));
			long first = ledger.highestToken();
			postings.post("acc-1", new Entry("second"));
			assertThat(ledger.highestToken()).isGreaterThan(first);
			assertThat(ledger.entries()).extracting(Entry::text).containsExactly("first", "second");
			assertThat(ledger.write("acc-1", new Entry("stale"), first)).as("a write with an older token").isFalse();
			assertThat(ledger.entries()).hasSize(2);
		});
	}

	record Invoice(String orderId, String key) {
	}

	record Receipt(String orderId, Invoice invoice) {
	}

	static class Invoices {

		@DistributedLock(key = "#orderId")
		public Invoice create(String orderId) {
			return new Invoice(orderId, heldKey());
		}

	}

	static class Payments {

		private final ExecutorService executor = Executors.newSingleThreadExecutor();

		private final Invoices invoices;

		Payments(Invoices invoices) {
			this.invoices = invoices;
		}

		// tag::wrap[]
		@DistributedLock(key = "#orderId")
		public Receipt pay(String orderId) {
			Future<Invoice> invoice = executor.submit(CurrentLock.wrap(() -> invoices.create(orderId))); // may lock #orderId too
			/*...*/ return new Receipt(orderId, join(invoice));
		}
		// end::wrap[]

		private static Invoice join(Future<Invoice> invoice) {
			try {
				return invoice.get();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
			catch (ExecutionException ex) {
				throw new IllegalStateException(ex.getCause());
			}
		}

		void close() {
			this.executor.shutdownNow();
		}

	}

	@Test
	void wrappedWorkOnAnotherThreadShouldRunUnderTheLockItsCallerHolds() {
		runner().withPropertyValues("redlock.wait-time=0s").run((context) -> {
			Payments payments = context.getBean(Payments.class);
			try {
				// with a wait time of zero, an unwrapped hand-off would fail to take the held key
				Receipt receipt = payments.pay("o-9");
				assertThat(receipt.invoice()).isEqualTo(new Invoice("o-9", "redlock:o-9"));
			}
			finally {
				payments.close();
			}
		});
	}

	record Account(String id) {
	}

	record Money(long cents) {
	}

	record Line(String sku) {
	}

	record Order(List<Line> lines) {
	}

	static class Transfers {

		private final LockTemplate locks;

		Transfers(LockTemplate locks) {
			this.locks = locks;
		}

		// tag::several-keys[]
		@DistributedLock(name = "account", keys = { "#from.id", "#to.id" })
		public void transfer(Account from, Account to, Money amount) { /*...*/ check("account:" + from.id(), "account:" + to.id()); }

		@DistributedLock(name = "sku", keys = "#order.lines.![sku]")    // a collection: one key per element
		public void reserve(Order order) { /*...*/ check(order.lines().stream().map((line) -> "sku:" + line.sku()).toArray(String[]::new)); }
		// end::several-keys[]

		private void check(String... keys) {
			for (String key : keys) {
				seen.add(key + (freeForOthers(this.locks, key) ? " free" : " held"));
			}
		}

	}

	@Test
	void everyKeyShouldBeHeldWhileTheMethodRuns() {
		runner().run((context) -> {
			Transfers transfers = context.getBean(Transfers.class);
			transfers.transfer(new Account("a"), new Account("b"), new Money(100));
			transfers.reserve(new Order(List.of(new Line("s1"), new Line("s2"), new Line("s3"))));
			assertThat(seen).containsExactly("account:a held", "account:b held", "sku:s1 held", "sku:s2 held",
					"sku:s3 held");
			LockTemplate locks = context.getBean(LockTemplate.class);
			assertThat(List.of("account:a", "account:b", "sku:s1", "sku:s2", "sku:s3"))
				.allSatisfy((key) -> assertThat(freeForOthers(locks, key)).as("%s after the call", key).isTrue());
		});
	}

	record Quote(String id, String source) {
	}

	static class Jobs {

		// tag::not-acquired[]
		@Scheduled(fixedDelay = 60_000)
		@DistributedLock(name = "settlement", waitTime = "0s", onNotAcquired = NotAcquiredPolicy.SKIP)
		public void settle() { /*...*/ seen.add("settled"); }                       // another instance runs it: skip this round

		@DistributedLock(key = "#id", waitTime = "2s", fallback = "cachedQuote")
		public Quote quote(String id) { /*...*/ return new Quote(id, "live"); }
		Quote cachedQuote(String id) { /*...*/ return new Quote(id, "cached"); }                // same parameters, compatible return type
		// end::not-acquired[]

	}

	@Test
	void aHeldLockShouldSkipTheJobAndServeTheFallback() {
		runner().run((context) -> {
			Jobs jobs = context.getBean(Jobs.class);
			LockTemplate locks = context.getBean(LockTemplate.class);
			Optional<LockHandle> settlement = elsewhere(
					() -> locks.tryAcquire("settlement", Duration.ofSeconds(30), Duration.ZERO));
			Optional<LockHandle> quote = elsewhere(() -> locks.tryAcquire("q-1", Duration.ofSeconds(30), Duration.ZERO));
			assertThat(settlement).isPresent();
			assertThat(quote).isPresent();
			jobs.settle();
			assertThat(seen).as("skipped while another instance holds the lock").isEmpty();
			assertThat(jobs.quote("q-1")).isEqualTo(new Quote("q-1", "cached"));
			settlement.get().close();
			quote.get().close();
			jobs.settle();
			assertThat(seen).containsExactly("settled");
			assertThat(jobs.quote("q-1")).isEqualTo(new Quote("q-1", "live"));
		});
	}

}
