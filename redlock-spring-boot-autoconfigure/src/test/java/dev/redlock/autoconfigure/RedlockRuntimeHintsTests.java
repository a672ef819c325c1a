package dev.redlock.autoconfigure;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.aot.hint.ExecutableMode;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.beans.factory.aot.AotServices;
import org.springframework.beans.factory.aot.BeanRegistrationAotProcessor;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.javapoet.ClassName;

import dev.redlock.DistributedLock;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runtime hints that Spring AOT writes for a native image: what the starter reflects on, and,
 * per bean, the {@code @DistributedLock} methods, fallbacks and parameter types.
 */
class RedlockRuntimeHintsTests {

	private final RuntimeHints hints = new RuntimeHints();

	RedlockRuntimeHintsTests() {
		new RedlockRuntimeHints().registerHints(this.hints, getClass().getClassLoader());
	}

	@Test
	void threadIsVirtualShouldBeInvocable() {
		// on any JDK: the hint names the method, which JDK 17 does not have
		assertThat(this.hints.reflection().getTypeHint(Thread.class).methods())
			.anySatisfy((method) -> {
				assertThat(method.getName()).isEqualTo("isVirtual");
				assertThat(method.getParameterTypes()).isEmpty();
				assertThat(method.getMode()).isEqualTo(ExecutableMode.INVOKE);
			});
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void threadIsVirtualShouldMatchThePredicateWhereTheJdkHasIt() throws Exception {
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Thread.class.getMethod("isVirtual")))
			.accepts(this.hints);
	}

	@Test
	void annotationAttributesAndSynthesizedAnnotationsShouldBeCovered() throws Exception {
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(DistributedLock.class.getMethod("key")))
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(DistributedLock.class.getMethod("fallback")))
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.proxies().forInterfaces(DistributedLock.class)).accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(Object.class)).accepts(this.hints);
	}

	@Test
	void expressionRootGettersShouldBeInvocable() throws Exception {
		Class<?> root = Class.forName(RedlockRuntimeHints.EXPRESSION_ROOT);
		for (String getter : List.of("getMethod", "getMethodName", "getArgs", "getTarget")) {
			assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(root.getMethod(getter)))
				.as(getter)
				.accepts(this.hints);
		}
	}

	@Test
	void propertiesEndpointReportAndFailureAnalyzerShouldBeCovered() throws Exception {
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(RedlockProperties.class.getMethod("setNodes", List.class))).accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(RedlockProperties.Renewal.class.getMethod("setMaxHoldTime", java.time.Duration.class)))
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(RedlockEndpoint.NodeDescriptor.class.getMethod("status"))).accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(RedlockEndpoint.LockDescriptor.class.getMethod("remainingMillis"))).accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection()
			.onConstructorInvocation(RedlockConfigurationFailureAnalyzer.class.getDeclaredConstructor()))
			.accepts(this.hints);
	}

	@Test
	void aotFactoriesShouldRegisterTheRegistrarAndTheProcessor() {
		assertThat(AotServices.factories().load(RuntimeHintsRegistrar.class))
			.anyMatch(RedlockRuntimeHints.class::isInstance);
		assertThat(AotServices.factories().load(BeanRegistrationAotProcessor.class))
			.anyMatch(DistributedLockAotProcessor.class::isInstance);
	}

	@Test
	void aotProcessingShouldRegisterLockedMethodsFallbacksAndParameterTypes() throws Exception {
		RuntimeHints processed = processAheadOfTime(Payments.class);
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(Payments.class.getMethod("pay", Order.class, int.class))).accepts(processed);
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(Payments.class.getDeclaredMethod("busy", Order.class, int.class))).accepts(processed);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Order.class.getMethod("id")))
			.as("for #order.id")
			.accepts(processed);
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(Payments.class.getMethod("refund", String.class))).as("declared on the interface")
			.accepts(processed);
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(Payments.class.getMethod("unlocked"))).rejects(processed);
		assertThat(processed.reflection().getTypeHint(Thread.class)).as("the registrar from aot.factories ran")
			.isNotNull();
	}

	@Test
	void beansWithoutLocksShouldContributeNothing() {
		GenericApplicationContext context = new GenericApplicationContext();
		context.registerBean("plain", Order.class, () -> new Order("o"));
		assertThat(new DistributedLockAotProcessor().processAheadOfTime(
				org.springframework.beans.factory.support.RegisteredBean.of(context.getDefaultListableBeanFactory(),
						"plain")))
			.isNull();
	}

	private static RuntimeHints processAheadOfTime(Class<?> beanClass) {
		GenericApplicationContext context = new GenericApplicationContext();
		context.registerBean(beanClass);
		DefaultGenerationContext generation = new DefaultGenerationContext(
				new ClassNameGenerator(ClassName.get("dev.redlock.aot", "Test")), new InMemoryGeneratedFiles());
		new ApplicationContextAotGenerator().processAheadOfTime(context, generation);
		return generation.getRuntimeHints();
	}

	public record Order(String id) {
	}

	public interface Refunds {

		@DistributedLock(key = "#orderId")
		String refund(String orderId);

	}

	public static class Payments implements Refunds {

		@DistributedLock(key = "#order.id", fallback = "busy")
		public String pay(Order order, int cents) {
			return "paid";
		}

		String busy(Order order, int cents) {
			return "busy";
		}

		@Override
		public String refund(String orderId) {
			return "refunded";
		}

		public String unlocked() {
			return "free";
		}

	}

}
