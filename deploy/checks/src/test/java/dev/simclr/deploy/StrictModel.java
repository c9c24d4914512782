package dev.simclr.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes objects parsed into fabric8's model, strictly: fabric8 keeps fields it does not know in
 * {@code additionalProperties} instead of failing, so every object of the parsed tree is walked and any such field —
 * a typo, a wrong indentation, a field of another API version — is reported with its path.
 */
final class StrictModel {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "v1/Namespace", Namespace.class,
            "v1/ConfigMap", ConfigMap.class,
            "v1/Secret", Secret.class,
            "v1/Service", Service.class,
            "apps/v1/Deployment", Deployment.class,
            "batch/v1/Job", Job.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class);

    private StrictModel() {}

    /** Whether the Kubernetes model has a class for this object's apiVersion and kind. */
    static boolean known(JsonNode n) {
        return KINDS.containsKey(key(n));
    }

    static HasMetadata parse(JsonNode n) {
        Class<? extends HasMetadata> type = KINDS.get(key(n));
        if (type == null) {
            throw new IllegalArgumentException("no model for " + key(n));
        }
        HasMetadata parsed;
        try {
            parsed = JSON.treeToValue(n, type);
        } catch (Exception e) {
            throw new IllegalArgumentException(key(n) + " " + n.path("metadata").path("name").asText() + ": "
                    + e.getMessage(), e);
        }
        List<String> unknown = new ArrayList<>();
        walk(parsed, key(n) + "/" + parsed.getMetadata().getName(), unknown, new IdentityHashMap<>());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("fields the Kubernetes model does not know: " + unknown);
        }
        return parsed;
    }

    private static String key(JsonNode n) {
        return n.path("apiVersion").asText() + "/" + n.path("kind").asText();
    }

    private static void walk(Object o, String path, List<String> unknown, Map<Object, Boolean> seen) {
        if (o == null || seen.put(o, true) != null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                walk(e, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> walk(v, path + "." + k, unknown, seen));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method g : o.getClass().getMethods()) {
            if (g.getParameterCount() != 0 || !g.getName().startsWith("get") || g.getDeclaringClass() == Object.class) {
                continue;
            }
            Object v;
            try {
                v = g.invoke(o);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            if (g.getName().equals("getAdditionalProperties")) {
                if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    extra.keySet().forEach(k -> unknown.add(path + "." + k));
                }
            } else {
                walk(v, path + "." + Character.toLowerCase(g.getName().charAt(3)) + g.getName().substring(4), unknown,
                        seen);
            }
        }
    }
}
