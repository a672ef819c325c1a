package dev.redlock.autoconfigure;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import org.springframework.aop.framework.Advised;
import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

import dev.redlock.DistributedLock;
import dev.redlock.aop.DistributedLockAdvisor;
import dev.redlock.aop.LockAnnotationValidator;
import dev.redlock.aop.LockOperationSource;

/**
 * One pass over every bean once the singletons exist: each {@code @DistributedLock} is checked
 * ({@link LockAnnotationValidator}: expressions, parameters, fallback, durations, placeholders,
 * policy), and each bean with such methods must be
 * advised by the {@link DistributedLockAdvisor} through a proxy that can reach them, so that no
 * locked method runs without its lock. Any problem stops the startup with a report that names the
 * bean, the method and the attribute.
 */
final class DistributedLockStartupCheck implements SmartInitializingSingleton {

	private final ConfigurableListableBeanFactory beanFactory;

	DistributedLockStartupCheck(ConfigurableListableBeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	@Override
	public void afterSingletonsInstantiated() {
		List<String> problems = problems();
		if (!problems.isEmpty()) {
			String count = (problems.size() == 1) ? "A @DistributedLock method has a problem"
					: problems.size() + " problems with @DistributedLock methods";
			throw new RedlockStartupException(count + ", found at startup:\n\n - " + String.join("\n - ", problems),
					"Fix each one named above. Without this check an invalid annotation would fail only when the "
							+ "method is first called, and a method no proxy reaches would run without its lock.",
					null);
		}
	}

	List<String> problems() {
		LockOperationSource operations = operationSource();
		LockAnnotationValidator validator = (operations != null)
				? new LockAnnotationValidator(operations, this.beanFactory::containsBean) : null;
		List<String> problems = new ArrayList<>();
		Set<Class<?>> validated = new HashSet<>();
		for (Iterator<String> names = this.beanFactory.getBeanNamesIterator(); names.hasNext();) {
			String name = names.next();
			Object bean = instance(name);
			Class<?> type = (bean != null) ? AopProxyUtils.ultimateTargetClass(bean) : type(name);
			if (type == null) {
				continue;
			}
			type = ClassUtils.getUserClass(type);
			List<Method> annotated = annotatedMethods(type);
			if (annotated.isEmpty()) {
				continue;
			}
			String where = "bean '" + name + "' (" + type.getName() + ")";
			if (validator != null && validated.add(type)) {
				for (Method method : annotated) {
					for (LockAnnotationValidator.Problem problem : validator.validate(method, type)) {
						problems.add(where + ", method " + signature(method) + ", attribute " + problem.attribute()
								+ ": " + problem.problem());
					}
				}
			}
			for (Method method : annotated) {
				String unreachable = unreachable(bean, method);
				if (unreachable != null) {
					problems.add(where + ", method " + signature(method) + ": " + unreachable);
				}
			}
			if (bean != null && !isAdvised(bean)) {
				problems.add(where + ", method " + signature(annotated.get(0)) + ((annotated.size() > 1)
						? " (and " + (annotated.size() - 1) + " more)" : "") + ": would run without a lock, because "
						+ "the bean is not proxied by the @DistributedLock advisor. It was created before the advisor "
						+ "could apply (a registered singleton, a BeanPostProcessor or a bean one depends on), or an "
						+ "auto-proxy creator of the application skips infrastructure advisors; let Spring create it "
						+ "as an ordinary bean, or make sure a DistributedLockAdvisor bean applies to it");
			}
		}
		return problems;
	}

	private LockOperationSource operationSource() {
		String[] advisors = this.beanFactory.getBeanNamesForType(DistributedLockAdvisor.class, false, false);
		return (advisors.length > 0)
				? this.beanFactory.getBean(advisors[0], DistributedLockAdvisor.class).getOperationSource() : null;
	}

	/** The bean if it exists already, else {@code null} (lazy, prototype, scoped, or a factory's product). */
	private Object instance(String name) {
		if (!this.beanFactory.containsSingleton(name) || this.beanFactory.isFactoryBean(name)) {
			return null;
		}
		Object bean = this.beanFactory.getSingleton(name);
		// a @Bean method that returned null is held as a NullBean, which equals null
		return (bean == null || bean.equals(null)) ? null : bean;
	}

	private Class<?> type(String name) {
		try {
			return this.beanFactory.getType(name, false);
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

	private static List<Method> annotatedMethods(Class<?> type) {
		if (type.getName().startsWith("java.")) {
			return List.of();
		}
		List<Method> annotated = new ArrayList<>();
		for (Method method : ReflectionUtils.getUniqueDeclaredMethods(type, ReflectionUtils.USER_DECLARED_METHODS)) {
			if (AnnotatedElementUtils.hasAnnotation(method, DistributedLock.class)) {
				annotated.add(method);
			}
		}
		return annotated;
	}

	/** Why no proxy of {@code bean} can intercept {@code method}, or {@code null} if one can. */
	private static String unreachable(Object bean, Method method) {
		int modifiers = method.getModifiers();
		if (Modifier.isStatic(modifiers)) {
			return "a static method is never called through a proxy, so @DistributedLock on it would take no lock; "
					+ "make it an instance method of the bean";
		}
		if (Modifier.isPrivate(modifiers)) {
			return "a private method cannot be intercepted by a Spring proxy, so @DistributedLock on it would take "
					+ "no lock; make it public (and call it through the bean, not through 'this')";
		}
		boolean onInterface = declaredByInterface(method);
		boolean jdkProxy = bean != null && AopUtils.isJdkDynamicProxy(bean);
		if (jdkProxy && !onInterface) {
			return "the bean is proxied through its interfaces, which do not declare this method, so calls to it "
					+ "take no lock; declare it on an interface of the bean, or use class-based proxies "
					+ "(spring.aop.proxy-target-class=true, Spring Boot's default)";
		}
		// a JDK proxy reaches a final interface method; so may the proxy of a bean not created yet
		boolean interfaceProxyPossible = jdkProxy || (bean == null && onInterface);
		if (Modifier.isFinal(modifiers) && !interfaceProxyPossible) {
			return "a final method cannot be overridden by a class-based proxy, so @DistributedLock on it would "
					+ "take no lock; remove 'final'";
		}
		return null;
	}

	private static boolean declaredByInterface(Method method) {
		for (Class<?> type : ClassUtils.getAllInterfacesForClassAsSet(method.getDeclaringClass())) {
			if (ReflectionUtils.findMethod(type, method.getName(), method.getParameterTypes()) != null) {
				return true;
			}
		}
		return false;
	}

	private static boolean isAdvised(Object bean) {
		return bean instanceof Advised advised
				&& Arrays.stream(advised.getAdvisors()).anyMatch(DistributedLockAdvisor.class::isInstance);
	}

	private static String signature(Method method) {
		StringBuilder text = new StringBuilder(method.getName()).append('(');
		Class<?>[] types = method.getParameterTypes();
		for (int i = 0; i < types.length; i++) {
			text.append((i > 0) ? ", " : "").append(types[i].getSimpleName());
		}
		return text.append(')').toString();
	}

}
