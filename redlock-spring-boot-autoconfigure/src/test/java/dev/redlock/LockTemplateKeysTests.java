package dev.redlock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How often a call through {@link LockTemplate} computes full keys: once per key, and the engine
 * is handed those instead of computing them again. The engine here is a counting fake: what is
 * checked is the template's bookkeeping, not Redis behaviour.
 */
class LockTemplateKeysTests {

	private final CountingEngine engine = new CountingEngine();

	private final LockTemplate template = new LockTemplate(this.engine);

	@Test
	void executeShouldComputeEachFullKeyOnceAndHandThemToTheEngine() {
		String result = this.template.execute(LockRequest.of(List.of("b", "a"), Duration.ofSeconds(10), Duration.ZERO),
				(handle) -> handle.key());
		assertThat(result).isEqualTo("p:a,p:b");
		assertThat(this.engine.fullKeyCalls).hasValue(2);
		assertThat(this.engine.handedFullKeys).containsExactly(List.of("p:a", "p:b"));
	}

	@Test
	void executeAsyncShouldComputeEachFullKeyOnce() {
		String result = this.template.executeAsync(LockRequest.of("a", Duration.ofSeconds(10), Duration.ZERO),
				(handle) -> java.util.concurrent.CompletableFuture.completedFuture(handle.key())).join();
		assertThat(result).isEqualTo("p:a");
		assertThat(this.engine.fullKeyCalls).hasValue(1);
		assertThat(this.engine.handedFullKeys).containsExactly(List.of("p:a"));
	}

	@Test
	void aNestedCallShouldAcquireOnlyTheKeysTheChainDoesNotHoldComputingEachOnce() {
		this.template.execute(LockRequest.of("a", Duration.ofSeconds(10), Duration.ZERO), (outer) -> {
			this.engine.fullKeyCalls.set(0);
			return this.template.execute(LockRequest.of(List.of("a", "c"), Duration.ofSeconds(10), Duration.ZERO),
					(inner) -> inner.key());
		});
		assertThat(this.engine.fullKeyCalls).hasValue(2);
		assertThat(this.engine.handedFullKeys).containsExactly(List.of("p:a"), List.of("p:c"));
	}

	/** Locks always granted, full keys counted. */
	private static final class CountingEngine implements LockEngine {

		final AtomicInteger fullKeyCalls = new AtomicInteger();

		final List<List<String>> handedFullKeys = new ArrayList<>();

		@Override
		public Duration defaultLeaseTime() {
			return Duration.ofSeconds(30);
		}

		@Override
		public Duration defaultWaitTime() {
			return Duration.ZERO;
		}

		@Override
		public LockHandle acquire(LockRequest request) {
			return acquire(request, request.keys().stream().map(this::fullKey).toList());
		}

		// no @Override: the test also compiles against an engine interface without this overload
		public LockHandle acquire(LockRequest request, List<String> fullKeys) {
			this.handedFullKeys.add(fullKeys);
			return new GrantedHandle(String.join(",", fullKeys));
		}

		@Override
		public Optional<LockHandle> tryAcquire(LockRequest request) {
			return Optional.of(acquire(request));
		}

		@Override
		public String fullKey(String key) {
			this.fullKeyCalls.incrementAndGet();
			return "p:" + key;
		}

		@Override
		public void handOff(LockHandle handle) {
		}

	}

	private record GrantedHandle(String key) implements LockHandle {

		@Override
		public boolean isValid() {
			return true;
		}

		@Override
		public Duration remaining() {
			return Duration.ofSeconds(10);
		}

		@Override
		public boolean extend(Duration leaseTime) {
			return true;
		}

		@Override
		public OptionalLong fencingToken() {
			return OptionalLong.empty();
		}

		@Override
		public void close() {
		}

	}

}
