package dev.simclr.core.npy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's {@code .npy} format (version 1.0), for the dtypes the platform stores: {@code |u1} images,
 * {@code <i8} labels, {@code <f4} features. {@code numpy.load} reads what this writes.
 */
public final class Npy {
    public static final String UINT8 = "|u1";
    public static final String INT64 = "<i8";
    public static final String FLOAT32 = "<f4";
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern HEADER = Pattern.compile(
            "\\{'descr': '([^']+)', 'fortran_order': (True|False), 'shape': \\(([0-9, ]*)\\), \\}");

    /** An n-dimensional array: dtype, C-order shape and its little-endian bytes. */
    public record Array(String dtype, int[] shape, byte[] data) {
        public Array {
            long n = 1;
            for (int d : shape) {
                n *= d;
            }
            if (n * itemSize(dtype) != data.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " of " + dtype + " needs "
                        + n * itemSize(dtype) + " bytes, got " + data.length);
            }
        }

        public long[] asLongs() {
            requireDtype(INT64);
            long[] out = new long[data.length / 8];
            ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
            return out;
        }

        /** Any integer dtype's values as longs (labels come as int64, int32, uint8, … from numpy users). */
        public long[] asIntegers() {
            ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
            int n = data.length / itemSize(dtype);
            long[] out = new long[n];
            for (int i = 0; i < n; i++) {
                out[i] = switch (dtype) {
                    case UINT8, "<u1" -> Byte.toUnsignedLong(b.get());
                    case "|i1" -> b.get();
                    case "<i2" -> b.getShort();
                    case "<u2" -> Short.toUnsignedLong(b.getShort());
                    case "<i4" -> b.getInt();
                    case INT64 -> b.getLong();
                    default -> throw new IllegalArgumentException("array is " + dtype + ", not an integer type");
                };
            }
            return out;
        }

        public float[] asFloats() {
            requireDtype(FLOAT32);
            float[] out = new float[data.length / 4];
            ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }

        private void requireDtype(String want) {
            if (!dtype.equals(want)) {
                throw new IllegalArgumentException("array is " + dtype + ", not " + want);
            }
        }
    }

    private Npy() {}

    public static Array uint8(byte[] data, int... shape) {
        return new Array(UINT8, shape, data);
    }

    public static Array int64(long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return new Array(INT64, new int[] {values.length}, b.array());
    }

    public static Array float32(float[] values, int... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new Array(FLOAT32, shape, b.array());
    }

    public static byte[] write(Array a) {
        StringBuilder shape = new StringBuilder();
        for (int d : a.shape()) {
            shape.append(d).append(", ");
        }
        String dims = a.shape().length == 1 ? a.shape()[0] + "," : shape.substring(0, Math.max(0, shape.length() - 2));
        String dict = "{'descr': '" + a.dtype() + "', 'fortran_order': False, 'shape': (" + dims + "), }";
        // magic(6) + version(2) + header length(2) + header, padded with spaces to a multiple of 64, ending in \n
        int unpadded = 10 + dict.length() + 1;
        int total = (unpadded + 63) / 64 * 64;
        String header = dict + " ".repeat(total - unpadded) + "\n";
        ByteBuffer out = ByteBuffer.allocate(total + a.data().length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        out.put(header.getBytes(StandardCharsets.US_ASCII)).put(a.data());
        return out.array();
    }

    public static Array read(byte[] npy) {
        ByteBuffer in = ByteBuffer.wrap(npy).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[6];
        if (npy.length < 10) {
            throw new IllegalArgumentException("not an .npy array: " + npy.length + " bytes");
        }
        in.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IllegalArgumentException("not an .npy array: wrong magic");
        }
        int major = in.get();
        in.get();
        int headerLength = major == 1 ? Short.toUnsignedInt(in.getShort()) : in.getInt();
        byte[] header = new byte[headerLength];
        in.get(header);
        String text = new String(header, StandardCharsets.US_ASCII).trim();
        Matcher m = HEADER.matcher(text.replace("\"", "'"));
        if (!m.find()) {
            throw new IllegalArgumentException("unsupported .npy header: " + text);
        }
        if (m.group(2).equals("True")) {
            throw new IllegalArgumentException("Fortran-order arrays are not supported");
        }
        int[] shape = Arrays.stream(m.group(3).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .mapToInt(Integer::parseInt).toArray();
        byte[] data = new byte[in.remaining()];
        in.get(data);
        return new Array(m.group(1), shape, data);
    }

    static int itemSize(String dtype) {
        return switch (dtype) {
            case UINT8, "<u1", "|i1" -> 1;
            case "<i2", "<u2" -> 2;
            case FLOAT32, "<i4" -> 4;
            case INT64, "<f8" -> 8;
            default -> throw new IllegalArgumentException("unsupported dtype " + dtype);
        };
    }
}
