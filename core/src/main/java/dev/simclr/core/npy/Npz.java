package dev.simclr.core.npy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/** NumPy's {@code .npz}: a zip of {@code <name>.npy} entries, as {@code numpy.savez} writes (stored, not deflated). */
public final class Npz {
    private Npz() {}

    /** Entries in the map's iteration order: pass an ordered map, or the bytes differ from run to run. */
    public static byte[] write(Map<String, Npy.Array> arrays) {
        if (arrays.size() > 1 && !(arrays instanceof LinkedHashMap || arrays instanceof java.util.SortedMap)) {
            throw new IllegalArgumentException("Npz.write needs an ordered map (its order makes the bytes)");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (var e : arrays.entrySet()) {
                byte[] npy = Npy.write(e.getValue());
                ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
                // stored, with a fixed time: the same arrays always give the same bytes (and sha256)
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(npy.length);
                CRC32 crc = new CRC32();
                crc.update(npy);
                entry.setCrc(crc.getValue());
                entry.setTime(315532800000L);
                zip.putNextEntry(entry);
                zip.write(npy);
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static Map<String, Npy.Array> read(byte[] npz) {
        return read(npz, Integer.MAX_VALUE - 64);
    }

    /** Reads an archive whose arrays may each inflate to at most {@code maxArrayBytes} (a user's file: no zip bomb). */
    public static Map<String, Npy.Array> read(byte[] npz, long maxArrayBytes) {
        Map<String, Npy.Array> arrays = new LinkedHashMap<>();
        int cap = (int) Math.min(Integer.MAX_VALUE - 64, maxArrayBytes);
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(npz))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                String name = e.getName().endsWith(".npy") ? e.getName().substring(0, e.getName().length() - 4)
                        : e.getName();
                byte[] bytes = zip.readNBytes(cap);
                if (zip.read() != -1) {
                    throw new IllegalArgumentException("array '" + name + "' inflates to more than " + cap
                            + " bytes");
                }
                arrays.put(name, Npy.read(bytes));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not an .npz archive: " + e.getMessage(), e);
        }
        if (arrays.isEmpty()) {
            throw new IllegalArgumentException("not an .npz archive: no arrays");
        }
        return arrays;
    }
}
