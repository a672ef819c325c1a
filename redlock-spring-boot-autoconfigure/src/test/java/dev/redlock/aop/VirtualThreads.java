package dev.redlock.aop;

import java.lang.reflect.Method;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Virtual threads where the running JDK has them (21+); the project compiles for Java 17.
 */
final class VirtualThreads {

	private VirtualThreads() {
	}

	static ExecutorService executor() {
		try {
			Method factory = Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
			return (ExecutorService) factory.invoke(null);
		}
		catch (ReflectiveOperationException ex) {
			return null;
		}
	}

}
