package dev.redlock;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the annotated method only while holding a distributed Redlock lock; the lock is released
 * when the method returns or throws. When the lock cannot be obtained within the wait time,
 * {@link LockNotAcquiredException} is thrown and the method does not run.
 *
 * <pre>{@code
 * @DistributedLock(key = "#orderId", leaseTime = "30s")
 * public Receipt pay(String orderId) { ... }
 * }</pre>
 *
 * <p>The Redis key is {@code keyPrefix + name + ":" + key}; without a {@code name}, just
 * {@code keyPrefix + key}. Without a {@code key}, the lock is {@code name}, or the method's
 * {@code ClassName.methodName} when both are empty. May be used as a meta-annotation.
 *
 * <p>Like other Spring proxy-based annotations, it applies to calls through the bean's proxy: a
 * call from another method of the same object does not take the lock.
 */
@Target({ ElementType.METHOD, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface DistributedLock {

	/**
	 * A SpEL expression for the lock key, evaluated per call over the method's parameters: by
	 * name ({@code #orderId}), by position ({@code #p0}, {@code #a0}), with nested properties
	 * ({@code #order.customer.id}) and bean references ({@code @keys.forOrder(#order)}). It must
	 * not evaluate to {@code null} or a blank string. Empty: the lock is the name alone.
	 * @return the key expression
	 */
	String key() default "";

	/**
	 * Several key expressions, locked all or none (with {@link #key()} if that is set too). An
	 * expression that yields a collection or an array contributes each element. The keys are
	 * taken in sorted order on each node in one atomic step, so two calls that share keys cannot
	 * deadlock, whatever order they list them in.
	 * @return the key expressions
	 */
	String[] keys() default {};

	/**
	 * A SpEL expression over the parameters that decides per call whether to lock; when it
	 * evaluates to {@code false} the method runs without a lock. Empty: always lock.
	 * @return the condition
	 */
	String condition() default "";

	/**
	 * What to do when the lock is not obtained within the wait time.
	 * @return the policy; {@link NotAcquiredPolicy#DEFAULT} uses {@code redlock.on-not-acquired},
	 * or {@link NotAcquiredPolicy#FALLBACK} if {@link #fallback()} is set
	 */
	NotAcquiredPolicy onNotAcquired() default NotAcquiredPolicy.DEFAULT;

	/**
	 * The name of a method of the same bean, with the same parameter types and a compatible
	 * return type, to call instead when the lock is not obtained.
	 * @return the fallback method's name
	 */
	String fallback() default "";

	/**
	 * A namespace put before the key, such as {@code orders}. Supports {@code ${…}} placeholders.
	 * @return the name
	 */
	String name() default "";

	/**
	 * How long the lock lives unless released, as a duration ({@code "30s"}, {@code "PT1M"},
	 * {@code "${orders.lock-ttl}"}). Empty means {@code redlock.lease-time}.
	 * @return the lease time
	 */
	String leaseTime() default "";

	/**
	 * How long a call waits for the lock before giving up, as a duration ({@code "0s"} for one
	 * attempt). Empty means {@code redlock.wait-time}.
	 * @return the wait time
	 */
	String waitTime() default "";

	/**
	 * Whether the lease is extended (about every third of the lease time) while the method runs,
	 * up to the maximum hold time. Renewal also needs {@code redlock.renewal.enabled} (the
	 * default).
	 * @return whether to renew the lease
	 */
	boolean autoRenew() default true;

	/**
	 * The longest the lease is renewed, as a duration; after it the lock is left to expire.
	 * Empty means {@code redlock.renewal.max-hold-time}.
	 * @return the maximum hold time
	 */
	String maxHoldTime() default "";

	/**
	 * The shortest time the lock is held, as a duration, even if the method returns sooner: the
	 * release then only shortens the lease to the time left. For scheduled jobs on instances
	 * whose clocks differ, so that a quick run does not let another instance run the same job
	 * again. Empty means zero.
	 * @return the minimum hold time
	 */
	String holdAtLeast() default "";

	/**
	 * Whether to issue a fencing token, readable through {@link CurrentLock#handle()}.
	 * @return whether to issue a fencing token
	 */
	boolean fencing() default false;

}
