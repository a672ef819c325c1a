package dev.redlock.aop;

import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import java.util.function.Supplier;

import org.springframework.core.annotation.AliasFor;
import org.springframework.transaction.annotation.Transactional;

import dev.redlock.DistributedLock;

/**
 * Annotated beans for the interceptor tests. Each method returns the lock keys that exist in
 * Redis while it runs, read through {@link #keysInRedis}.
 */
final class TestServices {

	private TestServices() {
	}

	record Customer(String id) {
	}

	record Order(String id, Customer customer) {
	}

	/** Composed annotation: an order lock with a fixed lease. */
	@Target(ElementType.METHOD)
	@Retention(RetentionPolicy.RUNTIME)
	@DistributedLock(name = "orders", leaseTime = "20s")
	@interface OrderLock {

		@AliasFor(annotation = DistributedLock.class, attribute = "key")
		String key();

	}

	public static class KeyFactory {

		public String forOrder(String orderId) {
			return "bean-" + orderId;
		}

	}

	static class OrderService {

		private final Supplier<List<String>> keysInRedis;

		private int calls;

		OrderService(Supplier<List<String>> keysInRedis) {
			this.keysInRedis = keysInRedis;
		}

		@DistributedLock(key = "#orderId")
		public List<String> byName(String orderId) {
			this.calls++;
			return this.keysInRedis.get();
		}

		@DistributedLock(key = "#p0 + '-' + #a1")
		public List<String> byPosition(String orderId, int attempt) {
			this.calls++;
			return this.keysInRedis.get();
		}

		@DistributedLock(key = "#order.customer.id", name = "customers")
		public List<String> byNestedProperty(Order order) {
			this.calls++;
			return this.keysInRedis.get();
		}

		@DistributedLock(key = "@keyFactory.forOrder(#orderId)")
		public List<String> byBean(String orderId) {
			this.calls++;
			return this.keysInRedis.get();
		}

		@DistributedLock(name = "nightly-report")
		public List<String> byNameOnly() {
			this.calls++;
			return this.keysInRedis.get();
		}

		@DistributedLock
		public List<String> byMethod() {
			this.calls++;
			return this.keysInRedis.get();
		}

		@OrderLock(key = "#orderId")
		public List<String> byMetaAnnotation(String orderId) {
			this.calls++;
			return this.keysInRedis.get();
		}

		@DistributedLock(name = "${test.lock-name:fallback}", key = "#orderId", waitTime = "${test.wait:0s}")
		public List<String> withPlaceholderNameAndWait(String orderId) {
			this.calls++;
			return this.keysInRedis.get();
		}

		/** Calls a locked method of this bean directly, not through the proxy. */
		public List<String> callsItself(String orderId) {
			return byName(orderId);
		}

		@DistributedLock(key = "#orderId", leaseTime = "${test.lease:7s}", waitTime = "0s")
		public Long withPlaceholderLease(String orderId, Supplier<Long> pttl) {
			this.calls++;
			return pttl.get();
		}

		@DistributedLock(key = "#orderId", waitTime = "0s")
		public void failsWithChecked(String orderId) throws IOException {
			this.calls++;
			throw new IOException("disk full for " + orderId);
		}

		@DistributedLock(key = "#orderId", waitTime = "0s")
		public void failsWithUnchecked(String orderId) {
			this.calls++;
			throw new IllegalStateException("card declined for " + orderId);
		}

		@DistributedLock(key = "#root.methodName + ':' + #root.args[0]")
		public List<String> byRoot(String orderId) {
			this.calls++;
			return this.keysInRedis.get();
		}

		@DistributedLock(key = "#orderId", waitTime = "0s")
		public void nullableKey(String orderId) {
			this.calls++;
		}

		@DistributedLock(key = "#orderId.missing", waitTime = "0s")
		public void failingKey(String orderId) {
			this.calls++;
		}

		@DistributedLock(key = "#orderId", waitTime = "0s")
		@Transactional
		public List<String> transactional(String orderId) {
			this.calls++;
			return this.keysInRedis.get();
		}

		/** Read through the proxy: a field read on a CGLIB proxy would see the proxy's own field. */
		public int calls() {
			return this.calls;
		}

		public List<String> notAnnotated() {
			this.calls++;
			return this.keysInRedis.get();
		}

	}

}
