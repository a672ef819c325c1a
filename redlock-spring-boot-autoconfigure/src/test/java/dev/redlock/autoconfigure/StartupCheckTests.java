package dev.redlock.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.aop.support.AopUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ReflectionUtils;

import dev.redlock.DistributedLock;
import dev.redlock.NotAcquiredPolicy;
import dev.redlock.aop.LockAnnotationValidator;
import dev.redlock.aop.LockOperationSource;
import dev.redlock.test.RedisServersExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code @DistributedLock} of every bean is checked when the context starts; a mistake stops
 * the startup with a report naming the bean, the method and the attribute.
 */
class StartupCheckTests {

	@RegisterExtension
	static final RedisServersExtension redis = new RedisServersExtension(3);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, RedlockAutoConfiguration.class))
		.withPropertyValues("redlock.restart-guard.enabled=false");

	private ApplicationContextRunner runner() {
		return this.runner.withPropertyValues("redlock.nodes=" + String.join(",", redis.uris()));
	}

	/** The startup failure report of a context with one bean of {@code type}. */
	private void assertReport(ApplicationContextRunner runner, Class<?> type, Consumer<String> description) {
		runner.withBean(type).run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = new RedlockConfigurationFailureAnalyzer().analyze(context.getStartupFailure());
			assertThat(analysis).as("report for %s", context.getStartupFailure()).isNotNull();
			assertThat(analysis.getAction()).contains("Fix each one named above");
			description.accept(analysis.getDescription());
		});
	}

	private void assertReport(Class<?> type, Consumer<String> description) {
		assertReport(runner(), type, description);
	}

	static class Typo {

		@DistributedLock(key = "#ordrId")
		public void pay(String orderId, int attempt) {
		}

	}

	@Test
	void typoInAKeyShouldStopStartupNamingBeanMethodAttributeAndTheParameters() {
		assertReport(Typo.class, (report) -> assertThat(report).startsWith("Redlock cannot start. A @DistributedLock "
				+ "method has a problem, found at startup:")
			.contains("bean 'startupCheckTests.Typo' (" + Typo.class.getName() + "), method pay(String, int), "
					+ "attribute key: key expression '#ordrId': #ordrId is not a parameter; the parameters are "
					+ "#orderId, #attempt (by position #p0, #p1)"));
	}

	static class OutOfRange {

		@DistributedLock(keys = { "#p0", "#a2" }, condition = "#amout > 10")
		public void pay(String orderId, int amount) {
		}

	}

	@Test
	void positionOutOfRangeAndATypoInTheConditionShouldBothBeReported() {
		assertReport(OutOfRange.class, (report) -> assertThat(report).contains("2 problems with @DistributedLock methods")
			.contains("attribute keys: key expression '#a2': #a2 is out of range: the method has 2 parameters")
			.contains("attribute condition: condition '#amout > 10': #amout is not a parameter; the parameters are "
					+ "#orderId, #amount"));
	}

	static class BadFallback {

		@DistributedLock(key = "#id", fallback = "busy")
		public String quote(String id) {
			return id;
		}

		String busy(long id) {
			return "busy";
		}

	}

	@Test
	void fallbackWithTheWrongParametersShouldStopStartup() {
		assertReport(BadFallback.class, (report) -> assertThat(report)
			.contains("method quote(String), attribute fallback: fallback method 'busy' with parameters "
					+ "[class java.lang.String] not found on " + BadFallback.class.getName()));
	}

	static class BadDuration {

		@DistributedLock(key = "#id", leaseTime = "soon")
		public void run(String id) {
		}

	}

	@Test
	void durationThatIsNotOneShouldStopStartup() {
		assertReport(BadDuration.class, (report) -> assertThat(report)
			.contains("method run(String), attribute leaseTime: leaseTime 'soon' is not a duration; use a value such as "
					+ "\"30s\", \"500ms\" or \"PT1M\""));
	}

	static class BadPlaceholder {

		@DistributedLock(key = "#id", waitTime = "${orders.lock-wait}")
		public void run(String id) {
		}

	}

	@Test
	void placeholderThatCannotBeResolvedShouldStopStartupAndResolveWhenDefined() {
		assertReport(BadPlaceholder.class, (report) -> assertThat(report)
			.contains("method run(String), attribute waitTime: waitTime '${orders.lock-wait}' has a placeholder that "
					+ "cannot be resolved"));
		runner().withPropertyValues("orders.lock-wait=1s")
			.withBean(BadPlaceholder.class)
			.run((context) -> assertThat(context).hasNotFailed());
	}

	static class SkipOnPrimitive {

		@DistributedLock(key = "#id", onNotAcquired = NotAcquiredPolicy.SKIP)
		public int count(String id) {
			return 1;
		}

	}

	@Test
	void skipOnAPrimitiveReturnTypeShouldStopStartup() {
		assertReport(SkipOnPrimitive.class, (report) -> assertThat(report)
			.contains("method count(String), attribute onNotAcquired: onNotAcquired = SKIP cannot return a value of "
					+ "type int; return a wrapper type or Optional, or use a fallback method"));
		assertReport(runner().withPropertyValues("redlock.on-not-acquired=SKIP"), DefaultPolicyOnPrimitive.class,
				(report) -> assertThat(report).contains("method count(String), attribute onNotAcquired: "
						+ "onNotAcquired = SKIP (the default from redlock.on-not-acquired) cannot return a value of "
						+ "type long"));
	}

	static class DefaultPolicyOnPrimitive {

		@DistributedLock(key = "#id")
		public long count(String id) {
			return 1;
		}

	}

	static class LongLease {

		@DistributedLock(name = "refunds", key = "#id", leaseTime = "10m")
		public void refund(String id) {
		}

	}

	@Test
	void aLeaseLongerThanTheHoldOutShouldPassTheStartupCheckWithEverySettingAtItsDefault() {
		// the guard on, its hold-out the default 30s: the engine keeps the 10-minute lease alive
		runner().withPropertyValues("redlock.restart-guard.enabled=true")
			.withBean(LongLease.class)
			.run((context) -> assertThat(context).hasNotFailed());
		runner().withBean(LongLease.class).run((context) -> assertThat(context).as("no guard").hasNotFailed());
		LockAnnotationValidator validator = new LockAnnotationValidator(
				new LockOperationSource((value) -> value, Duration.ofSeconds(30), Duration.ZERO), (name) -> true);
		assertThat(validator.validate(ReflectionUtils.findMethod(LongLease.class, "refund", String.class),
				LongLease.class)).isEmpty();
	}

	static class Unknowns {

		@DistributedLock(key = "@lockKeys.forOrder(#id) + #root.methodNmae")
		public void run(String id) {
		}

	}

	@Test
	void missingBeanAndUnknownRootPropertyShouldStopStartup() {
		assertReport(Unknowns.class, (report) -> assertThat(report)
			.contains("@lockKeys refers to a bean that does not exist: there is no bean named 'lockKeys'")
			.contains("#root.methodNmae does not exist; #root offers #root.methodName, #root.method, #root.args and "
					+ "#root.target"));
	}

	static class Unreachable {

		@DistributedLock(key = "#id")
		private void secret(String id) {
		}

		@DistributedLock(key = "#id")
		public final void sealed(String id) {
		}

		@DistributedLock(key = "#id")
		public static void shared(String id) {
		}

	}

	@Test
	void methodsNoProxyCanInterceptShouldStopStartup() {
		assertReport(Unreachable.class, (report) -> assertThat(report).contains("3 problems")
			.contains("method secret(String): a private method cannot be intercepted by a Spring proxy")
			.contains("method sealed(String): a final method cannot be overridden by a class-based proxy")
			.contains("method shared(String): a static method is never called through a proxy"));
	}

	interface Job {

		String run(String id);

	}

	static class InterfaceProxied implements Job {

		@Override
		@DistributedLock(key = "#id")
		public String run(String id) {
			return id;
		}

		@DistributedLock(key = "#id")
		public String other(String id) {
			return id;
		}

	}

	@Test
	void methodMissingFromTheInterfacesOfAJdkProxyShouldStopStartup() {
		assertReport(runner().withPropertyValues("spring.aop.proxy-target-class=false"), InterfaceProxied.class,
				(report) -> assertThat(report).contains("method other(String): the bean is proxied through its "
						+ "interfaces, which do not declare this method"));
	}

	static class Plain {

		@DistributedLock(key = "#id")
		public String pay(String id) {
			return id;
		}

	}

	@Test
	void beanTheAdvisorDoesNotApplyToShouldStopStartup() {
		runner().withInitializer((context) -> context.getBeanFactory().registerSingleton("payments", new Plain()))
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = new RedlockConfigurationFailureAnalyzer()
					.analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("bean 'payments' (" + Plain.class.getName()
						+ "), method pay(String): would run without a lock, because the bean is not proxied by the "
						+ "@DistributedLock advisor");
			});
	}

	public static class KeyFactory {

		public String forOrder(String id) {
			return "k-" + id;
		}

	}

	static class AllValid {

		@DistributedLock(key = "#p0 + #a1 + #root.args[0] + #root.methodName + @keyFactory.forOrder(#orderId)")
		public String byEveryReference(String orderId, int attempt) {
			return orderId;
		}

		@DistributedLock(name = "sku", keys = "#lines.?[#this != null]", condition = "(#n = #lines.size()) > 0 && #n < 5")
		public List<String> bySelection(List<String> lines) {
			return lines;
		}

		@DistributedLock(name = "job")
		public void noParameters() {
		}

	}

	@Test
	void validAnnotationsShouldStartAndLock() {
		runner().withBean("keyFactory", KeyFactory.class).withBean(AllValid.class).run((context) -> {
			assertThat(context).hasNotFailed();
			AllValid bean = context.getBean(AllValid.class);
			assertThat(AopUtils.isAopProxy(bean)).isTrue();
			assertThat(bean.byEveryReference("o-1", 2)).isEqualTo("o-1");
			assertThat(bean.bySelection(List.of("a", "b"))).containsExactly("a", "b");
		});
	}

	static class JdkSealed implements Job {

		@Override
		@DistributedLock(key = "#id")
		public final String run(String id) {
			return id;
		}

	}

	@Test
	void finalInterfaceMethodShouldStartBehindAJdkProxy() {
		runner().withPropertyValues("spring.aop.proxy-target-class=false").withBean(JdkSealed.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(AopUtils.isJdkDynamicProxy(context.getBean(Job.class))).isTrue();
			assertThat(context.getBean(Job.class).run("j-1")).isEqualTo("j-1");
		});
	}

}
