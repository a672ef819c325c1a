package dev.redlock.aop;

import java.util.function.Function;
import java.util.function.Supplier;

import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import dev.redlock.LockHandle;
import dev.redlock.LockNotAcquiredException;
import dev.redlock.LockRequest;
import dev.redlock.LockTemplate;

/**
 * Locking for methods that return a Reactor {@code Mono} or {@code Flux}: the lock is taken when
 * the publisher is subscribed to (on the bounded-elastic scheduler, since taking it blocks on
 * Redis), and released when it completes, fails or is cancelled. Loaded only when Reactor is on
 * the classpath.
 */
final class ReactiveLocking {

	private ReactiveLocking() {
	}

	static Object mono(LockTemplate template, LockRequest request, Supplier<Object> method,
			Function<LockNotAcquiredException, Object> notAcquired) {
		@SuppressWarnings("unchecked")
		Mono<Object> source = (Mono<Object>) method.get();
		return Mono.<Object, LockHandle>usingWhen(acquire(template, request), (handle) -> source, ReactiveLocking::release,
				(handle, error) -> release(handle), ReactiveLocking::release)
			.onErrorResume(NotAcquired.class, (ex) -> Mono.from(publisher(notAcquired.apply(ex.cause()))));
	}

	static Object flux(LockTemplate template, LockRequest request, Supplier<Object> method,
			Function<LockNotAcquiredException, Object> notAcquired) {
		@SuppressWarnings("unchecked")
		Flux<Object> source = (Flux<Object>) method.get();
		return Flux.<Object, LockHandle>usingWhen(acquire(template, request), (handle) -> source, ReactiveLocking::release,
				(handle, error) -> release(handle), ReactiveLocking::release)
			.onErrorResume(NotAcquired.class, (ex) -> Flux.from(publisher(notAcquired.apply(ex.cause()))));
	}

	static Object error(LockOperation.ReturnKind kind, Throwable error) {
		return (kind == LockOperation.ReturnKind.MONO) ? Mono.error(error) : Flux.error(error);
	}

	static Object empty(LockOperation.ReturnKind kind) {
		return (kind == LockOperation.ReturnKind.MONO) ? Mono.empty() : Flux.empty();
	}

	@SuppressWarnings("unchecked")
	private static Publisher<Object> publisher(Object result) {
		return (result != null) ? (Publisher<Object>) result : Mono.empty();
	}

	private static Mono<LockHandle> acquire(LockTemplate template, LockRequest request) {
		return Mono.fromCallable(() -> {
			try {
				LockHandle handle = template.acquire(request);
				// taken on a pooled scheduler thread that moves on: a loss must not interrupt it
				template.redlock().handOff(handle);
				return handle;
			}
			catch (LockNotAcquiredException ex) {
				throw new NotAcquired(ex);
			}
		}).subscribeOn(Schedulers.boundedElastic());
	}

	private static Mono<Void> release(LockHandle handle) {
		return Mono.<Void>fromRunnable(handle::close).subscribeOn(Schedulers.boundedElastic());
	}

	/** Marks a failure to take the lock, as opposed to one of the publisher's own errors. */
	private static final class NotAcquired extends RuntimeException {

		NotAcquired(LockNotAcquiredException cause) {
			super(cause.getMessage(), cause, false, false);
		}

		LockNotAcquiredException cause() {
			return (LockNotAcquiredException) getCause();
		}

	}

}
