package org.dpspark.jobs.run;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The points a private random search draws its trials from: the Cartesian product of a grid ({@code dp-tune --grid
 * NAME=V1,V2,...}), or a list of points (the MLlib tuners' parameter maps). Each trial draws one point uniformly
 * with the caller's CSPRNG; points may repeat across trials.
 *
 * <p>Only hyperparameters that leave a trial's privacy unchanged may vary ({@link #NAMES}): the search calibrates
 * one sigma for the q and T of its settings, and the accountant's selection theorem (Papernot and Steinke 2022)
 * assumes every trial has the same privacy loss. {@code batch-size} and {@code epochs} change q or T and are refused.
 */
public final class SearchSpace {
    /** The hyperparameters a grid may vary. */
    public static final List<String> NAMES = List.of("learning-rate", "clip-norm", "momentum");
    /** Refused: they change q or T, which the search's one sigma is calibrated for. */
    public static final List<String> FIXED = List.of("batch-size", "epochs");

    private final List<Hyperparameters> points;

    private SearchSpace(List<Hyperparameters> points) {
        if (points.isEmpty()) {
            throw new IllegalArgumentException("a search needs at least one point");
        }
        this.points = List.copyOf(points);
    }

    /** A search over exactly these points (each drawn with probability 1 / size). */
    public static SearchSpace of(List<Hyperparameters> points) {
        return new SearchSpace(points);
    }

    /**
     * The product of the axes given as {@code NAME=V1,V2,...}, the other settings from {@code base}.
     *
     * @throws IllegalArgumentException naming the axis: an unknown or fixed name, a repeated name, an empty list, a
     *     value that is not a number or breaks its rule
     */
    public static SearchSpace grid(List<String> axes, Hyperparameters base) {
        Map<String, List<Double>> values = new LinkedHashMap<>();
        for (String axis : axes) {
            int eq = axis.indexOf('=');
            String name = (eq < 0 ? axis : axis.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
            if (FIXED.contains(name)) {
                throw new IllegalArgumentException("'" + axis + "': " + name + " changes the sampling rate or the "
                        + "steps, which the search's one noise multiplier is calibrated for; set --" + name
                        + " for the whole search; a grid may vary " + String.join(", ", NAMES));
            }
            if (!NAMES.contains(name)) {
                throw new IllegalArgumentException("'" + axis + "': unknown hyperparameter '" + name + "'; a grid may "
                        + "vary " + String.join(", ", NAMES));
            }
            if (values.containsKey(name)) {
                throw new IllegalArgumentException("'" + axis + "': " + name + " is given twice");
            }
            String list = eq < 0 ? "" : axis.substring(eq + 1).strip();
            if (list.isEmpty()) {
                throw new IllegalArgumentException("'" + axis + "': give NAME=V1,V2,... with at least one value");
            }
            List<Double> vs = new ArrayList<>();
            for (String v : list.split(",", -1)) {
                try {
                    vs.add(Double.parseDouble(v.strip()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + axis + "': '" + v + "' is not a number");
                }
            }
            values.put(name, vs);
        }
        if (values.isEmpty()) {
            throw new IllegalArgumentException("give at least one NAME=V1,V2,... (" + String.join(", ", NAMES) + ")");
        }
        List<Hyperparameters> points = new ArrayList<>();
        points.add(base);
        for (Map.Entry<String, List<Double>> e : values.entrySet()) {
            List<Hyperparameters> next = new ArrayList<>();
            for (Hyperparameters p : points) {
                for (double v : e.getValue()) {
                    try {
                        next.add(with(p, e.getKey(), v));
                    } catch (IllegalArgumentException bad) {
                        throw new IllegalArgumentException("'" + e.getKey() + "=...': " + bad.getMessage());
                    }
                }
            }
            points = next;
        }
        return new SearchSpace(points);
    }

    /** {@code p} with the hyperparameter {@code name} (one of {@link #NAMES}) set to {@code v}. */
    public static Hyperparameters with(Hyperparameters p, String name, double v) {
        return switch (name) {
            case "learning-rate" -> new Hyperparameters(v, p.clipNorm(), p.momentum());
            case "clip-norm" -> new Hyperparameters(p.learningRate(), v, p.momentum());
            case "momentum" -> new Hyperparameters(p.learningRate(), p.clipNorm(), v);
            default -> throw new IllegalArgumentException("unknown hyperparameter '" + name + "'");
        };
    }

    /** The points, in the grid's order. */
    public List<Hyperparameters> points() {
        return points;
    }

    /** Whether some point sets a momentum other than {@code base}'s (the momentum optimizer is then needed). */
    public boolean variesMomentum(double base) {
        return points.stream().anyMatch(p -> p.momentum() != base);
    }

    /** One point drawn uniformly with {@code rng} (a SecureRandom outside the insecure test path). */
    public Hyperparameters draw(Random rng) {
        return points.get(rng.nextInt(points.size()));
    }
}
