package dev.redlock.aop;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.expression.Expression;
import org.springframework.expression.spel.SpelNode;
import org.springframework.expression.spel.ast.Assign;
import org.springframework.expression.spel.ast.BeanReference;
import org.springframework.expression.spel.ast.CompoundExpression;
import org.springframework.expression.spel.ast.FunctionReference;
import org.springframework.expression.spel.ast.PropertyOrFieldReference;
import org.springframework.expression.spel.ast.VariableReference;
import org.springframework.expression.spel.standard.SpelExpression;

/**
 * Checks, without calling the method, that a parsed key or condition expression refers only to
 * what its evaluation context will hold: a parameter by name, {@code #p0}/{@code #a0} within the
 * parameter count, {@code #root} (with one of its properties), {@code #this}, a variable the
 * expression assigns itself, and beans that exist. What only a call can tell (a {@code null}
 * argument, a blank key) is left to the call.
 */
final class LockExpressionCheck {

	private static final Set<String> ROOT_PROPERTIES = Set.of("method", "methodName", "args", "target");

	private final ParameterNameDiscoverer parameterNames = new DefaultParameterNameDiscoverer();

	private final Predicate<String> beanExists;

	/**
	 * @param beanExists whether a bean of that name exists, for {@code @name} references; {@code null}
	 * to not check them
	 */
	LockExpressionCheck(Predicate<String> beanExists) {
		this.beanExists = beanExists;
	}

	/**
	 * The problems of one expression, each a sentence naming the reference at fault.
	 * @param expression the parsed expression
	 * @param methods the invoked method and, if it differs, the one declaring the annotation (an
	 * interface method may name its parameters differently)
	 */
	List<String> problems(Expression expression, Method... methods) {
		if (!(expression instanceof SpelExpression spel)) {
			return List.of();
		}
		Method method = methods[0];
		Set<String> names = new LinkedHashSet<>();
		boolean namesKnown = false;
		for (Method candidate : methods) {
			String[] discovered = this.parameterNames.getParameterNames(candidate);
			if (discovered != null) {
				names.addAll(List.of(discovered));
				namesKnown = true;
			}
		}
		Set<String> assigned = new LinkedHashSet<>();
		collectAssigned(spel.getAST(), assigned);
		List<String> problems = new ArrayList<>();
		check(spel.getAST(), method.getParameterCount(), names, namesKnown, assigned, problems);
		return problems;
	}

	private static void collectAssigned(SpelNode node, Set<String> assigned) {
		if (node instanceof Assign && node.getChildCount() > 0 && node.getChild(0) instanceof VariableReference target) {
			assigned.add(variableName(target));
		}
		for (int i = 0; i < node.getChildCount(); i++) {
			collectAssigned(node.getChild(i), assigned);
		}
	}

	private void check(SpelNode node, int parameterCount, Set<String> names, boolean namesKnown, Set<String> assigned,
			List<String> problems) {
		if (node instanceof VariableReference variable) {
			String name = variableName(variable);
			if (!isKnown(name, parameterCount, names, assigned)) {
				problems.add(unknownVariable("#" + name, name, parameterCount, names, namesKnown));
			}
		}
		else if (node instanceof FunctionReference function) {
			String name = functionName(function);
			if (!isKnown(name, parameterCount, names, assigned)) {
				problems.add("#" + name + "(…) calls a function, but no function is registered under that name");
			}
		}
		else if (node instanceof BeanReference bean && this.beanExists != null && !this.beanExists.test(bean.getName())) {
			problems.add(bean.toStringAST() + " refers to a bean that does not exist: there is no bean named '"
					+ bean.getName() + "'");
		}
		else if (node instanceof CompoundExpression && node.getChildCount() > 1
				&& node.getChild(0) instanceof VariableReference first && "root".equals(variableName(first))
				&& node.getChild(1) instanceof PropertyOrFieldReference property
				&& !ROOT_PROPERTIES.contains(property.getName())) {
			problems.add("#root." + property.getName() + " does not exist; #root offers #root.methodName, "
					+ "#root.method, #root.args and #root.target");
		}
		for (int i = 0; i < node.getChildCount(); i++) {
			check(node.getChild(i), parameterCount, names, namesKnown, assigned, problems);
		}
	}

	private static boolean isKnown(String name, int parameterCount, Set<String> names, Set<String> assigned) {
		if (name.equals("root") || name.equals("this") || names.contains(name) || assigned.contains(name)) {
			return true;
		}
		int index = positionalIndex(name);
		return index >= 0 && index < parameterCount;
	}

	/** The index of {@code p3} or {@code a3}, or -1 if the name is not positional. */
	private static int positionalIndex(String name) {
		if (name.length() < 2 || (name.charAt(0) != 'p' && name.charAt(0) != 'a')) {
			return -1;
		}
		String digits = name.substring(1);
		if (!digits.chars().allMatch(Character::isDigit) || digits.length() > 9) {
			return -1;
		}
		return Integer.parseInt(digits);
	}

	private static String unknownVariable(String reference, String name, int parameterCount, Set<String> names,
			boolean namesKnown) {
		if (positionalIndex(name) >= 0) {
			return reference + " is out of range: the method has " + parameterCount + " parameter"
					+ ((parameterCount == 1) ? "" : "s") + available(parameterCount, names, namesKnown);
		}
		if (parameterCount == 0) {
			return reference + " is not a parameter: the method has no parameters";
		}
		if (!namesKnown) {
			return reference + " is not a parameter: parameter names are not available at run time (compile with "
					+ "-parameters, as Spring Boot's build plugins do), so refer to them by position"
					+ available(parameterCount, names, false);
		}
		return reference + " is not a parameter" + available(parameterCount, names, true);
	}

	private static String available(int parameterCount, Set<String> names, boolean namesKnown) {
		if (parameterCount == 0) {
			return "";
		}
		List<String> positions = new ArrayList<>();
		for (int i = 0; i < parameterCount; i++) {
			positions.add("#p" + i);
		}
		String byPosition = String.join(", ", positions);
		if (!namesKnown) {
			return "; use " + byPosition + " (or #a0…)";
		}
		List<String> references = names.stream().map((name) -> "#" + name).toList();
		return "; the parameters are " + String.join(", ", references) + " (by position " + byPosition + ")";
	}

	private static String variableName(VariableReference variable) {
		return variable.toStringAST().substring(1);
	}

	private static String functionName(FunctionReference function) {
		String text = function.toStringAST();
		int open = text.indexOf('(');
		return text.substring(1, (open > 0) ? open : text.length());
	}

}
