package dev.redlock.autoconfigure;

import java.util.List;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.ExecutableMode;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;
import org.springframework.boot.context.properties.bind.BindableRuntimeHintsRegistrar;

import dev.redlock.DistributedLock;

/**
 * What the starter itself reaches by reflection, for Spring AOT and native images (registered in
 * {@code META-INF/spring/aot.factories}). The application's own {@code @DistributedLock} methods,
 * their fallbacks and parameter types are registered per bean by
 * {@link DistributedLockAotProcessor}.
 */
class RedlockRuntimeHints implements RuntimeHintsRegistrar {

	/** The {@code #root} object of key expressions, read by SpEL through its getters. */
	static final String EXPRESSION_ROOT = "dev.redlock.aop.LockKeyEvaluator$LockExpressionRoot";

	@Override
	public void registerHints(RuntimeHints hints, ClassLoader classLoader) {
		// dev.redlock.core.FanOut looks up Thread.isVirtual() (JDK 21+) with a method handle
		hints.reflection()
			.registerType(Thread.class, (type) -> type.withMethod("isVirtual", List.of(), ExecutableMode.INVOKE));
		// dev.redlock.aop.LockOperationSource takes a placeholder Method from Object.class.getMethods()
		hints.reflection().registerType(Object.class);
		// annotation attributes are read reflectively; a composed annotation is synthesized as a JDK proxy
		hints.reflection().registerType(DistributedLock.class, MemberCategory.INVOKE_PUBLIC_METHODS);
		hints.proxies().registerJdkProxy(DistributedLock.class);
		hints.reflection().registerType(TypeReference.of(EXPRESSION_ROOT), MemberCategory.INVOKE_PUBLIC_METHODS);
		// bound by hand (Binder.bindOrCreate) for the advisor, before the properties bean exists
		BindableRuntimeHintsRegistrar.forTypes(RedlockProperties.class).registerHints(hints, classLoader);
		// the endpoint's report, written as JSON
		new BindingReflectionHintsRegistrar().registerReflectionHints(hints.reflection(),
				RedlockEndpoint.RedlockReport.class);
		// instantiated from META-INF/spring.factories
		hints.reflection()
			.registerType(RedlockConfigurationFailureAnalyzer.class, MemberCategory.INVOKE_DECLARED_CONSTRUCTORS);
	}

}
