package dev.redlock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.Optional;

/**
 * Programmatic distributed locking: runs a callback while a Redlock lock is held, or hands out the
 * lock itself.
 *
 * <pre>{@code
 * Receipt receipt = lockTemplate.execute("order:" + orderId, (handle) -> payments.pay(orderId));
 * }</pre>
 *
 * Keys are given without the configured key prefix; the template adds it.
 */
public class LockTemplate {

	private final LockEngine engine;

	/**
	 * Creates a template over an engine, such as {@code dev.redlock.core.Redlock}.
	 * @param redlock the engine, which gives the default lease and wait times
	 */
	public LockTemplate(LockEngine redlock) {
		this.engine = Objects.requireNonNull(redlock, "redlock");
	}

	/**
	 * Runs {@code callback} while holding the lock on {@code key}, with the configured lease and
	 * wait times.
	 * @param <T> the result type
	 * @param key the lock key
	 * @param callback the work
	 * @return what the callback returned
	 * @throws LockNotAcquiredException if the lock was not obtained within the wait time (the
	 * callback did not run)
	 */
	public <T> T execute(String key, LockCallback<T> callback) {
		return execute(key, this.engine.defaultLeaseTime(), this.engine.defaultWaitTime(), callback);
	}

	/**
	 * Runs {@code callback} while holding the lock on {@code key}. The lock is released when the
	 * callback returns or throws; a failed release never hides the callback's result or exception.
	 * @param <T> the result type
	 * @param key the lock key
	 * @param leaseTime how long the lock lives unless released or extended
	 * @param waitTime how long to keep trying to acquire it; zero for one attempt
	 * @param callback the work
	 * @return what the callback returned
	 * @throws LockNotAcquiredException if the lock was not obtained within the wait time (the
	 * callback did not run)
	 */
	public <T> T execute(String key, Duration leaseTime, Duration waitTime, LockCallback<T> callback) {
		return execute(LockRequest.of(key, leaseTime, waitTime), callback);
	}

	/**
	 * Runs {@code callback} while holding the requested lock. The lock is released when the
	 * callback returns or throws; a failed release never hides the callback's result or
	 * exception. While the callback runs, {@link CurrentLock#handle()} returns the handle.
	 *
	 * <p>Reentrant for the call chain: keys that the running chain already holds (an enclosing
	 * {@code execute} or {@code @DistributedLock} method, see {@link CurrentLock}) are not taken
	 * again, and are released only by the call that took them.
	 * @param <T> the result type
	 * @param request the lock, its durations and its name for metrics
	 * @param callback the work
	 * @return what the callback returned
	 * @throws LockNotAcquiredException if the lock was not obtained within the wait time (the
	 * callback did not run)
	 */
	public <T> T execute(LockRequest request, LockCallback<T> callback) {
		Objects.requireNonNull(callback, "callback");
		List<String> fullKeys = fullKeys(request);
		Missing missing = missing(request, fullKeys);
		if (missing == null) {
			LockHandle held = new ReentrantHandle(CurrentLock.heldHandle(fullKeys.get(0)));
			return CurrentLock.with(held, fullKeys, callback);
		}
		try (LockHandle handle = this.engine.acquire(missing.request(), missing.fullKeys())) {
			return CurrentLock.with(handle, missing.fullKeys(), callback);
		}
	}

	/**
	 * Takes the requested lock, runs {@code callback}, and releases the lock when the stage it
	 * returns completes, normally, exceptionally or by cancellation; for work that finishes
	 * asynchronously. The callback itself runs in the calling thread, as part of the call chain
	 * ({@link CurrentLock}); keys the chain already holds are not taken again. The lock is released
	 * on the default asynchronous executor, not on the thread that completes the stage.
	 * @param <T> the result type
	 * @param request the lock
	 * @param callback starts the work and returns its stage
	 * @return a future of the work's result; failed with {@link LockNotAcquiredException} if the
	 * lock was not obtained (the callback did not run)
	 */
	public <T> CompletableFuture<T> executeAsync(LockRequest request,
			Function<LockHandle, ? extends CompletionStage<T>> callback) {
		Objects.requireNonNull(callback, "callback");
		List<String> fullKeys = fullKeys(request);
		Missing missing = missing(request, fullKeys);
		if (missing == null) {
			LockHandle held = new ReentrantHandle(CurrentLock.heldHandle(fullKeys.get(0)));
			CompletionStage<T> stage = CurrentLock.<CompletionStage<T>>with(held, fullKeys,
					(handle) -> callback.apply(handle));
			return (stage != null) ? stage.toCompletableFuture() : CompletableFuture.completedFuture(null);
		}
		LockHandle handle;
		try {
			handle = this.engine.acquire(missing.request(), missing.fullKeys());
		}
		catch (LockNotAcquiredException ex) {
			return CompletableFuture.failedFuture(ex);
		}
		CompletionStage<T> stage;
		try {
			stage = CurrentLock.<CompletionStage<T>>with(handle, missing.fullKeys(), (held) -> callback.apply(held));
		}
		catch (RuntimeException | Error ex) {
			handle.close();
			throw ex;
		}
		if (stage == null) {
			handle.close();
			return CompletableFuture.completedFuture(null);
		}
		// the calling thread moves on: a loss must not interrupt it
		this.engine.handOff(handle);
		CompletableFuture<T> result = new CompletableFuture<>();
		// released off the completing thread, which may be an event loop that must not block on Redis
		stage.whenCompleteAsync((value, error) -> {
			handle.close();
			if (error != null) {
				result.completeExceptionally(error);
			}
			else {
				result.complete(value);
			}
		});
		// cancelling the returned future cancels the work's future, which then releases the lock
		result.whenComplete((value, error) -> {
			if (result.isCancelled()) {
				stage.toCompletableFuture().cancel(true);
			}
		});
		return result;
	}

	/**
	 * Takes the requested lock or throws; the caller must {@link LockHandle#close() close} the
	 * handle. Not reentrant: use {@link #execute(LockRequest, LockCallback)} inside locked code.
	 * @param request the lock
	 * @return the held lock
	 * @throws LockNotAcquiredException if the lock was not obtained within the wait time
	 */
	public LockHandle acquire(LockRequest request) {
		return this.engine.acquire(request);
	}

	private List<String> fullKeys(LockRequest request) {
		return request.keys().stream().map(this.engine::fullKey).toList();
	}

	/**
	 * The keys of a request that the call chain does not hold yet, with their full keys.
	 * @param fullKeys the request's full keys, in the order of its keys
	 * @return the request for those keys (the request itself if it holds none), or {@code null} if
	 * it holds them all
	 */
	private static Missing missing(LockRequest request, List<String> fullKeys) {
		// the lists are made only once a key turns out held: the usual call holds none
		List<String> keys = null;
		List<String> missingFullKeys = null;
		for (int i = 0; i < fullKeys.size(); i++) {
			boolean held = CurrentLock.heldHandle(fullKeys.get(i)) != null;
			if (held && keys == null) {
				keys = new ArrayList<>(request.keys().subList(0, i));
				missingFullKeys = new ArrayList<>(fullKeys.subList(0, i));
			}
			else if (!held && keys != null) {
				keys.add(request.keys().get(i));
				missingFullKeys.add(fullKeys.get(i));
			}
		}
		if (keys == null) {
			return new Missing(request, fullKeys);
		}
		return keys.isEmpty() ? null : new Missing(request.withKeys(keys), List.copyOf(missingFullKeys));
	}

	/** What a call still has to acquire: a request and the full keys of its keys, computed once. */
	private record Missing(LockRequest request, List<String> fullKeys) {
	}

	/**
	 * Tries to acquire the lock on {@code key}; the caller must {@link LockHandle#close() close}
	 * the handle, best with try-with-resources.
	 * @param key the lock key
	 * @param leaseTime how long the lock lives unless released or extended
	 * @param waitTime how long to keep trying; zero for one attempt
	 * @return the held lock, or empty if it was not obtained within the wait time
	 */
	public Optional<LockHandle> tryAcquire(String key, Duration leaseTime, Duration waitTime) {
		return this.engine.tryAcquire(LockRequest.of(key, leaseTime, waitTime));
	}

	/**
	 * The engine behind this template: the {@code dev.redlock.core.Redlock} bean in the starter
	 * (inject that bean for what only the engine offers, such as its node probes).
	 * @return the engine
	 */
	public LockEngine redlock() {
		return this.engine;
	}

	/** A lock the call chain already holds, seen by an inner call: closing it does nothing. */
	private static final class ReentrantHandle implements LockHandle {

		private final LockHandle held;

		ReentrantHandle(LockHandle held) {
			this.held = held;
		}

		@Override
		public String key() {
			return this.held.key();
		}

		@Override
		public boolean isValid() {
			return this.held.isValid();
		}

		@Override
		public Duration remaining() {
			return this.held.remaining();
		}

		@Override
		public boolean extend(Duration leaseTime) {
			return this.held.extend(leaseTime);
		}

		@Override
		public OptionalLong fencingToken() {
			return this.held.fencingToken();
		}

		@Override
		public void close() {
			// released by the call that took it
		}

	}

}
