using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace Mote.Packer.Data
{
    /// <summary>Thrown for a data file (.npy, .bin) that cannot be read as the model's input.</summary>
    public sealed class DataFormatException : Exception
    {
        public string File { get; }

        public DataFormatException(string file, string message) : base($"{file}: {message}") => File = file;
    }

    /// <summary>An n-dimensional array read from a NumPy .npy file, kept as float32 or int64.</summary>
    public sealed class NpyArray
    {
        public int[] Shape = Array.Empty<int>();
        /// <summary>Element data when the file held floating-point values (float16 is not read).</summary>
        public float[] Floats;
        /// <summary>Element data when the file held integers or booleans.</summary>
        public long[] Ints;

        public long Count => Shape.Aggregate(1L, (a, d) => a * d);

        public string ShapeText => "[" + string.Join(",", Shape) + "]";

        /// <summary>Elements as floats (integers converted).</summary>
        public float[] AsFloats() => Floats ?? Ints.Select(v => (float)v).ToArray();

        public long[] AsInts(string file) => Ints ?? throw new DataFormatException(file, "holds floating-point values; integer labels were expected");
    }

    /// <summary>
    /// Reads and writes NumPy's .npy format (versions 1–3): a magic string, a Python-literal header
    /// dict with 'descr', 'fortran_order' and 'shape', then the raw little-endian elements.
    /// Only C-order arrays of little-endian bool/int8/uint8/int16/int32/int64/float32/float64 are read.
    /// </summary>
    public static class Npy
    {
        static readonly byte[] Magic = { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' };
        const long MaxElements = 1L << 28;

        public static NpyArray Load(string path)
        {
            if (!System.IO.File.Exists(path)) throw new DataFormatException(path, "file not found");
            return Parse(System.IO.File.ReadAllBytes(path), path);
        }

        public static NpyArray Parse(byte[] b, string file)
        {
            if (b.Length < 10 || !b.AsSpan(0, 6).SequenceEqual(Magic))
                throw new DataFormatException(file, "not a NumPy .npy file (magic \\x93NUMPY missing)");
            int major = b[6];
            int headerLen, headerStart;
            if (major == 1) { headerLen = b[8] | b[9] << 8; headerStart = 10; }
            else if (major is 2 or 3)
            {
                if (b.Length < 12) throw new DataFormatException(file, "truncated .npy header");
                headerLen = BitConverter.ToInt32(b, 8);
                headerStart = 12;
            }
            else throw new DataFormatException(file, $".npy version {major} is not supported (1, 2 and 3 are)");
            if (headerLen < 0 || headerStart + (long)headerLen > b.Length)
                throw new DataFormatException(file, $"header length {headerLen} runs past the end of the file ({b.Length} bytes)");
            string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(b, headerStart, headerLen);
            string descr = HeaderString(header, "descr", file);
            string fortran = HeaderRaw(header, "fortran_order", file);
            if (fortran.StartsWith("True", StringComparison.Ordinal))
                throw new DataFormatException(file, "Fortran-order arrays are not supported; save with np.ascontiguousarray");
            var shape = ParseShape(HeaderRaw(header, "shape", file), file);
            long count = 1;
            foreach (int d in shape)
            {
                count *= d;
                if (count > MaxElements) throw new DataFormatException(file, $"shape [{string.Join(",", shape)}] has more than {MaxElements} elements");
            }
            if (descr.Length < 2 || descr[0] == '>')
                throw new DataFormatException(file, $"dtype '{descr}' is not supported (little-endian bool, int8..int64, uint8, float32, float64 are)");
            string kind = descr.TrimStart('<', '|', '=');
            int size = kind switch { "b1" or "i1" or "u1" => 1, "i2" => 2, "i4" or "f4" => 4, "i8" or "f8" => 8, _ => 0 };
            if (size == 0)
                throw new DataFormatException(file, $"dtype '{descr}' is not supported (little-endian bool, int8..int64, uint8, float32, float64 are)");
            int dataStart = headerStart + headerLen;
            long need = count * size;
            if (b.Length - dataStart != need)
                throw new DataFormatException(file, $"shape [{string.Join(",", shape)}] of {descr} needs {need} data bytes but the file has {b.Length - dataStart}");
            var a = new NpyArray { Shape = shape };
            int n = (int)count;
            var span = b.AsSpan(dataStart);
            switch (kind)
            {
                case "f4":
                    a.Floats = new float[n];
                    for (int i = 0; i < n; i++) a.Floats[i] = BitConverter.ToSingle(span.Slice(4 * i, 4));
                    break;
                case "f8":
                    a.Floats = new float[n];
                    for (int i = 0; i < n; i++) a.Floats[i] = (float)BitConverter.ToDouble(span.Slice(8 * i, 8));
                    break;
                default:
                    a.Ints = new long[n];
                    for (int i = 0; i < n; i++)
                        a.Ints[i] = kind switch
                        {
                            "b1" or "u1" => span[i],
                            "i1" => (sbyte)span[i],
                            "i2" => BitConverter.ToInt16(span.Slice(2 * i, 2)),
                            "i4" => BitConverter.ToInt32(span.Slice(4 * i, 4)),
                            _ => BitConverter.ToInt64(span.Slice(8 * i, 8)),
                        };
                    break;
            }
            return a;
        }

        static string HeaderRaw(string header, string key, string file)
        {
            int k = header.IndexOf("'" + key + "'", StringComparison.Ordinal);
            if (k < 0) throw new DataFormatException(file, $".npy header has no '{key}': {header.Trim()}");
            int colon = header.IndexOf(':', k);
            if (colon < 0) throw new DataFormatException(file, $".npy header is malformed at '{key}'");
            return header.Substring(colon + 1).TrimStart();
        }

        static string HeaderString(string header, string key, string file)
        {
            string raw = HeaderRaw(header, key, file);
            if (raw.Length < 2 || raw[0] != '\'') throw new DataFormatException(file, $".npy header '{key}' is not a string");
            int end = raw.IndexOf('\'', 1);
            if (end < 0) throw new DataFormatException(file, $".npy header '{key}' is not terminated");
            return raw.Substring(1, end - 1);
        }

        static int[] ParseShape(string raw, string file)
        {
            if (!raw.StartsWith('(')) throw new DataFormatException(file, ".npy header 'shape' is not a tuple");
            int end = raw.IndexOf(')');
            if (end < 0) throw new DataFormatException(file, ".npy header 'shape' is not terminated");
            var parts = raw.Substring(1, end - 1).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var shape = new int[parts.Length];
            for (int i = 0; i < parts.Length; i++)
            {
                string p = parts[i].TrimEnd('L');
                if (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]))
                    throw new DataFormatException(file, $".npy shape entry '{parts[i]}' is not a non-negative integer");
            }
            return shape;
        }

        /// <summary>Writes a C-order float32 array (.npy version 1.0).</summary>
        public static byte[] Write(float[] data, params int[] shape)
        {
            var body = new byte[data.Length * 4];
            Buffer.BlockCopy(data, 0, body, 0, body.Length);
            return WithHeader("<f4", shape, body);
        }

        /// <summary>Writes a C-order int64 array (.npy version 1.0).</summary>
        public static byte[] Write(long[] data, params int[] shape)
        {
            var body = new byte[data.Length * 8];
            Buffer.BlockCopy(data, 0, body, 0, body.Length);
            return WithHeader("<i8", shape, body);
        }

        static byte[] WithHeader(string descr, int[] shape, byte[] body)
        {
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian host");
            string shapeText = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
            string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
            int total = 10 + dict.Length + 1;
            int pad = (64 - total % 64) % 64;
            string header = dict + new string(' ', pad) + "\n";
            var ms = new MemoryStream();
            ms.Write(Magic);
            ms.WriteByte(1);
            ms.WriteByte(0);
            ms.WriteByte((byte)(header.Length & 0xFF));
            ms.WriteByte((byte)(header.Length >> 8));
            ms.Write(Encoding.Latin1.GetBytes(header));
            ms.Write(body);
            return ms.ToArray();
        }
    }
}
