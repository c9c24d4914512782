package dev.simclr.kit;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Object storage settings of every service; each defaults to an environment variable (docs/configuration.md). */
@ConfigMapping(prefix = "simclr.s3")
public interface S3Config {
    /** {@code S3_ENDPOINT}, default http://127.0.0.1:9000 (the embedded S3 server). */
    @WithDefault("http://127.0.0.1:9000")
    String endpoint();

    /** {@code S3_BUCKET}, default simclr. */
    @WithDefault("simclr")
    String bucket();

    /** {@code S3_REGION}, default us-east-1 (S3Proxy accepts no other). */
    @WithDefault("us-east-1")
    String region();

    /** {@code AWS_ACCESS_KEY_ID}; no default. */
    @WithDefault("")
    String accessKey();

    /** {@code AWS_SECRET_ACCESS_KEY}; no default. */
    @WithDefault("")
    String secretKey();
}
