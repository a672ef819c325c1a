package dev.redlock.aop;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import dev.redlock.CurrentLock;
import dev.redlock.DistributedLock;
import dev.redlock.NotAcquiredPolicy;

/**
 * Beans for the call-site tests: each method reports what it saw while it ran.
 */
final class CallSiteServices {

	private CallSiteServices() {
	}

	/** Calls {@link Inner} through its proxy, under the same key. */
	static class Outer {

		private final Inner inner;

		Outer(Inner inner) {
			this.inner = inner;
		}

		@DistributedLock(key = "#id", waitTime = "0s")
		public String nested(String id) {
			return "outer(" + this.inner.locked(id) + ")";
		}

		@DistributedLock(key = "#id", waitTime = "0s")
		public String handOff(String id, ExecutorService executor, boolean propagate) throws Exception {
			Callable<String> task = () -> this.inner.locked(id);
			return executor.submit(propagate ? CurrentLock.wrap(task) : task).get();
		}

	}

	static class Inner {

		@DistributedLock(key = "#id", waitTime = "0s")
		public String locked(String id) {
			return "inner:" + CurrentLock.handle().orElseThrow().key();
		}

	}

	static class Accounts {

		private final AtomicInteger transfers = new AtomicInteger();

		/** Read through the proxy (a CGLIB proxy's own fields are empty). */
		public int transfers() {
			return this.transfers.get();
		}

		private final Supplier<List<String>> keysInRedis;

		Accounts(Supplier<List<String>> keysInRedis) {
			this.keysInRedis = keysInRedis;
		}

		@DistributedLock(name = "account", keys = { "#from", "#to" }, waitTime = "10s")
		public List<String> transfer(String from, String to) {
			this.transfers.incrementAndGet();
			return this.keysInRedis.get();
		}

		@DistributedLock(name = "account", keys = "#ids", waitTime = "0s")
		public List<String> audit(List<String> ids) {
			return this.keysInRedis.get();
		}

	}

	static class Policies {

		private final AtomicInteger calls = new AtomicInteger();

		public int calls() {
			return this.calls.get();
		}

		@DistributedLock(key = "#id", waitTime = "0s", onNotAcquired = NotAcquiredPolicy.SKIP)
		public String skip(String id) {
			this.calls.incrementAndGet();
			return "ran " + id;
		}

		@DistributedLock(key = "#id", waitTime = "0s", onNotAcquired = NotAcquiredPolicy.SKIP)
		public Optional<String> skipOptional(String id) {
			this.calls.incrementAndGet();
			return Optional.of("ran " + id);
		}

		@DistributedLock(key = "#id", waitTime = "0s", fallback = "busy")
		public String withFallback(String id) {
			this.calls.incrementAndGet();
			return "ran " + id;
		}

		String busy(String id) {
			return "busy " + id;
		}

		@DistributedLock(key = "#id", waitTime = "0s")
		public String byDefault(String id) {
			this.calls.incrementAndGet();
			return "ran " + id;
		}

		@DistributedLock(key = "#id", condition = "#amount > 100", waitTime = "0s")
		public Boolean conditional(String id, int amount, Supplier<Boolean> locked) {
			return locked.get();
		}

	}

	static class AsyncWork {

		private volatile CompletableFuture<String> pending;

		public CompletableFuture<String> pending() {
			return this.pending;
		}

		@DistributedLock(key = "#id", waitTime = "0s")
		public CompletableFuture<String> future(String id) {
			this.pending = new CompletableFuture<>();
			return this.pending;
		}

		@DistributedLock(key = "#id", waitTime = "0s", onNotAcquired = NotAcquiredPolicy.SKIP)
		public CompletableFuture<String> futureOrSkip(String id) {
			return CompletableFuture.completedFuture("ran " + id);
		}

		@DistributedLock(key = "#id", waitTime = "0s")
		public Mono<String> mono(String id, Mono<String> work) {
			return work;
		}

		@DistributedLock(key = "#id", waitTime = "0s")
		public Flux<Integer> flux(String id, Flux<Integer> work) {
			return work;
		}

		@DistributedLock(key = "#id", waitTime = "0s", onNotAcquired = NotAcquiredPolicy.SKIP)
		public Mono<String> monoOrSkip(String id) {
			return Mono.just("ran " + id);
		}

	}

	/** Fallbacks (and a method) that throw checked exceptions, for each kind of return. */
	static class CheckedFailures {

		@DistributedLock(key = "#id", waitTime = "0s", fallback = "busy")
		public String direct(String id) throws IOException {
			return "ran " + id;
		}

		String busy(String id) throws IOException {
			throw new IOException("busy " + id);
		}

		@DistributedLock(key = "#id", waitTime = "0s", fallback = "busyFuture")
		public CompletableFuture<String> future(String id) throws IOException {
			return CompletableFuture.completedFuture("ran " + id);
		}

		CompletableFuture<String> busyFuture(String id) throws IOException {
			throw new IOException("busy future " + id);
		}

		@DistributedLock(key = "#id", waitTime = "0s", fallback = "busyMono")
		public Mono<String> mono(String id) throws IOException {
			return Mono.just("ran " + id);
		}

		Mono<String> busyMono(String id) throws IOException {
			throw new IOException("busy mono " + id);
		}

		@DistributedLock(key = "#id", waitTime = "0s", fallback = "busyFlux")
		public Flux<String> flux(String id) throws IOException {
			return Flux.just("ran " + id);
		}

		Flux<String> busyFlux(String id) throws IOException {
			throw new IOException("busy flux " + id);
		}

		@DistributedLock(key = "#id", waitTime = "0s")
		public Mono<String> monoThatThrows(String id) throws IOException {
			throw new IOException("no mono for " + id);
		}

	}

}
