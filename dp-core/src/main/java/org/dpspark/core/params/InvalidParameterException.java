package org.dpspark.core.params;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A parameter value that breaks its rule. It names the parameter by its canonical name (the MLlib Param's name,
 * e.g. {@code clipNorm}); each entry point renders the message in its own vocabulary with {@link #render}, so a
 * command line says {@code --clip-norm} and an MLlib user reads {@code clipNorm}.
 *
 * <p>The message is a template with one {@code %s} per parameter, in the order of {@link #parameters()}: a rule
 * over two parameters ("give exactly one of %s and %s") names both.
 */
public final class InvalidParameterException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final List<String> parameters;
    private final String template;

    /**
     * @param parameters the canonical names of the parameters the rule concerns
     * @param template the message, with one {@code %s} per parameter
     */
    public InvalidParameterException(List<String> parameters, String template) {
        super(String.format(java.util.Locale.ROOT, template, parameters.toArray()));
        this.parameters = List.copyOf(parameters);
        this.template = template;
    }

    /** A rule over one parameter: "{@code parameter} {@code rule}". */
    public static InvalidParameterException of(String parameter, String rule) {
        return new InvalidParameterException(List.of(parameter), "%s " + rule.replace("%", "%%"));
    }

    /** The canonical names of the parameters concerned. */
    public List<String> parameters() {
        return parameters;
    }

    /** The message with each parameter named by {@code vocabulary} (canonical name to the caller's name). */
    public String render(UnaryOperator<String> vocabulary) {
        return String.format(java.util.Locale.ROOT, template, parameters.stream().map(vocabulary).toArray());
    }
}
