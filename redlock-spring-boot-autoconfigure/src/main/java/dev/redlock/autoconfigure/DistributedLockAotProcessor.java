package dev.redlock.autoconfigure;

import java.lang.reflect.Method;
import java.util.Map;

import org.springframework.aot.hint.ExecutableMode;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.ReflectionHints;
import org.springframework.beans.factory.aot.BeanRegistrationAotContribution;
import org.springframework.beans.factory.aot.BeanRegistrationAotProcessor;
import org.springframework.beans.factory.support.RegisteredBean;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringUtils;

import dev.redlock.DistributedLock;

/**
 * Registers, for each bean with {@link DistributedLock} methods, what the lock advice reaches by
 * reflection: the methods themselves (invoked, and their parameter names read for key
 * expressions), their fallback methods, and the public methods of their parameter types (which
 * key expressions such as {@code #order.id} call). Registered in
 * {@code META-INF/spring/aot.factories}.
 */
class DistributedLockAotProcessor implements BeanRegistrationAotProcessor {

	@Override
	public BeanRegistrationAotContribution processAheadOfTime(RegisteredBean registeredBean) {
		Class<?> beanClass = ClassUtils.getUserClass(registeredBean.getBeanClass());
		Map<Method, DistributedLock> locked = MethodIntrospector.selectMethods(beanClass,
				(MethodIntrospector.MetadataLookup<DistributedLock>) (method) -> AnnotatedElementUtils
					.findMergedAnnotation(method, DistributedLock.class));
		if (locked.isEmpty()) {
			return null;
		}
		return (generationContext, code) -> {
			ReflectionHints reflection = generationContext.getRuntimeHints().reflection();
			locked.forEach((method, annotation) -> {
				reflection.registerMethod(method, ExecutableMode.INVOKE);
				for (Class<?> parameter : method.getParameterTypes()) {
					Class<?> type = parameter.isArray() ? parameter.componentType() : parameter;
					if (!type.isPrimitive()) {
						reflection.registerType(type, MemberCategory.INVOKE_PUBLIC_METHODS);
					}
				}
				if (StringUtils.hasText(annotation.fallback())) {
					Method fallback = ReflectionUtils.findMethod(beanClass, annotation.fallback().trim(),
							method.getParameterTypes());
					if (fallback != null) {
						reflection.registerMethod(fallback, ExecutableMode.INVOKE);
					}
				}
			});
		};
	}

}
