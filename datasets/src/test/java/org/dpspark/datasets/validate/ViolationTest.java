package org.dpspark.datasets.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ViolationTest {

    @Test
    void message_severalViolations_oneLineInOrder() {
        DatasetValidationException e = new DatasetValidationException(List.of(
                new Violation("age", "non-numeric values", 3, 17),
                new Violation("income", "labels outside {0, 1}", 2, 5)));
        assertEquals("input validation failed: column 'age': 3 non-numeric values (first at row 17); "
                + "column 'income': 2 labels outside {0, 1} (first at row 5)", e.getMessage());
        assertEquals(2, e.violations().size());
    }

    @Test
    void describe_recordAndSchemaLevel_withoutCountsWhenZero() {
        assertEquals("2 malformed records (wrong number of fields) (first at row 4)",
                new Violation(Violation.RECORD, DatasetValidator.MALFORMED, 2, 4).describe());
        assertEquals("input has no rows", new Violation(Violation.RECORD, DatasetValidator.NO_ROWS, 0, 0).describe());
        assertEquals("column 'age': missing from the input",
                new Violation("age", "missing from the input", 0, 0).describe());
    }

    @Test
    void constructor_inconsistentCountAndRow_rejected() {
        assertThrows(IllegalArgumentException.class, () -> new Violation("a", "p", 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Violation("a", "p", 0, 3));
        assertThrows(IllegalArgumentException.class, () -> new Violation("a", "p", -1, 0));
        assertThrows(IllegalArgumentException.class, () -> new DatasetValidationException(List.of()));
    }
}
