package dev.simclr.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The JSON spelling of the contracts' enums: the {@link JsonProperty} on each constant, read in one place. */
public final class Wire {
    private Wire() {}

    public static String name(Enum<?> constant) {
        try {
            JsonProperty p = constant.getDeclaringClass().getField(constant.name()).getAnnotation(JsonProperty.class);
            return p != null ? p.value() : constant.name().toLowerCase(java.util.Locale.ROOT);
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every spelling of an enum, in declaration order: what error messages list as allowed. */
    public static <E extends Enum<E>> List<String> names(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(Wire::name).toList();
    }

    /** The constant spelt {@code wire}, if any. */
    public static <E extends Enum<E>> Optional<E> parse(Class<E> type, String wire) {
        return Arrays.stream(type.getEnumConstants()).filter(c -> name(c).equals(wire)).findFirst();
    }
}
