using System;
using System.Collections.Generic;
using System.Text;

namespace Mote.Packer.Tflite
{
    /// <summary>
    /// A custom operator's options are malformed FlexBuffers, or lack a key the operator needs.
    /// The message names the problem and the byte offset inside the options.
    /// </summary>
    public sealed class FlexBufferException : PackException
    {
        public FlexBufferException(string message) : base(message) { }
    }

    /// <summary>
    /// A small reader for the root map of a FlexBuffers buffer (a TFLite custom operator's
    /// custom_options): scalar values (int, uint, bool, float, inline or indirect) by key.
    /// Written from the FlexBuffers format description: the last byte is the root's byte width, the
    /// byte before it the root's packed type (type &lt;&lt; 2 | log2 of the child width), and the
    /// root value precedes those. A map is a vector of values (width w, count at -w) preceded by
    /// the offset of its sorted key vector (at -3w) and that vector's width (at -2w); each value's
    /// packed type byte follows the values. Offsets of non-inline values point backwards.
    /// Every read is bounds-checked: any buffer either parses or throws <see cref="FlexBufferException"/>.
    /// </summary>
    public sealed class FlexBufferMap
    {
        // FlexBuffers types used here.
        const int TypeNull = 0, TypeInt = 1, TypeUInt = 2, TypeFloat = 3, TypeKey = 4, TypeString = 5,
            TypeIndirectInt = 6, TypeIndirectUInt = 7, TypeIndirectFloat = 8, TypeMap = 9, TypeBool = 26;

        readonly struct Entry
        {
            public readonly int Type, Width, At;
            public Entry(int type, int width, int at) { Type = type; Width = width; At = at; }
        }

        readonly byte[] buf;
        readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal);

        /// <summary>Keys in the map, in stored (sorted) order.</summary>
        public IReadOnlyList<string> Keys { get; }

        FlexBufferMap(byte[] buf, List<string> keys)
        {
            this.buf = buf;
            Keys = keys;
        }

        /// <summary>Parses <paramref name="data"/>, whose root must be a map.</summary>
        public static FlexBufferMap Parse(byte[] data)
        {
            if (data == null || data.Length < 3) throw new FlexBufferException($"custom options of {data?.Length ?? 0} bytes are too short for a FlexBuffer");
            int rootWidth = data[data.Length - 1];
            if (rootWidth != 1 && rootWidth != 2 && rootWidth != 4 && rootWidth != 8)
                throw new FlexBufferException($"offset {data.Length - 1}: root byte width {rootWidth} is not 1, 2, 4 or 8");
            int packed = data[data.Length - 2];
            int rootAt = data.Length - 2 - rootWidth;
            if (rootAt < 0) throw new FlexBufferException($"root of width {rootWidth} does not fit the {data.Length}-byte buffer");
            if (packed >> 2 != TypeMap) throw new FlexBufferException($"offset {data.Length - 2}: root has FlexBuffer type {packed >> 2}, expected a map ({TypeMap})");
            var r = new Reader(data);
            int map = r.Target(rootAt, rootWidth);
            int w = 1 << (packed & 3);
            int size = r.Count(map, w);
            int keysField = map - 3 * w;
            if (keysField < 0) throw new FlexBufferException($"offset {map}: map header runs before the buffer start");
            int keys = r.Target(keysField, w);
            int kw = (int)r.UInt(map - 2 * w, w);
            if (kw != 1 && kw != 2 && kw != 4 && kw != 8) throw new FlexBufferException($"offset {map - 2 * w}: key vector width {kw} is not 1, 2, 4 or 8");
            int keyCount = r.Count(keys, kw);
            if (keyCount != size) throw new FlexBufferException($"offset {map}: map has {size} values but {keyCount} keys");
            long typesEnd = (long)map + (long)size * w + size;
            if (typesEnd > data.Length) throw new FlexBufferException($"offset {map}: {size} map values of width {w} run past the buffer end");
            var names = new List<string>(size);
            var m = new FlexBufferMap(data, names);
            for (int i = 0; i < size; i++)
            {
                int key = r.Target(keys + i * kw, kw);
                int end = key;
                while (end < data.Length && data[end] != 0) end++;
                if (end >= data.Length) throw new FlexBufferException($"offset {key}: key {i} is not NUL-terminated inside the buffer");
                string name = Encoding.UTF8.GetString(data, key, end - key);
                int vp = data[map + size * w + i];
                if (m.entries.ContainsKey(name)) throw new FlexBufferException($"offset {key}: key '{name}' appears twice");
                m.entries[name] = new Entry(vp >> 2, 1 << (vp & 3), map + i * w);
                names.Add(name);
            }
            m.parentWidth = w;
            return m;
        }

        /// <summary>Width of the map's value slots (inline values are read at this width).</summary>
        int parentWidth;

        public bool Contains(string key) => entries.ContainsKey(key);

        /// <summary>An integer (int, uint or bool, inline or indirect) under <paramref name="key"/>.</summary>
        public long GetInt64(string key)
        {
            if (!entries.TryGetValue(key, out var e)) throw new FlexBufferException($"key '{key}' is missing (keys: {string.Join(", ", Keys)})");
            var r = new Reader(buf);
            switch (e.Type)
            {
                case TypeInt: return r.Int(e.At, parentWidth);
                case TypeUInt: case TypeBool: return checked((long)r.UInt(e.At, parentWidth));
                case TypeIndirectInt: return r.Int(r.Target(e.At, parentWidth), e.Width);
                case TypeIndirectUInt: return checked((long)r.UInt(r.Target(e.At, parentWidth), e.Width));
                case TypeNull: throw new FlexBufferException($"key '{key}' is null, expected an integer");
                default: throw new FlexBufferException($"key '{key}' has FlexBuffer type {e.Type}, expected an integer");
            }
        }

        /// <summary>An integer that must fit an int32.</summary>
        public int GetInt32(string key)
        {
            long v;
            try { v = GetInt64(key); }
            catch (OverflowException) { throw new FlexBufferException($"key '{key}' does not fit 64 bits"); }
            if (v < int.MinValue || v > int.MaxValue) throw new FlexBufferException($"key '{key}' = {v} does not fit int32");
            return (int)v;
        }

        /// <summary>A boolean (a bool or an integer, non-zero = true).</summary>
        public bool GetBool(string key) => GetInt64(key) != 0;

        /// <summary>Bounds-checked little-endian reads over the buffer.</summary>
        readonly struct Reader
        {
            readonly byte[] b;
            public Reader(byte[] b) { this.b = b; }

            void Check(int at, int width)
            {
                if (at < 0 || (long)at + width > b.Length)
                    throw new FlexBufferException($"offset {at}: a {width}-byte value lies outside the {b.Length}-byte buffer");
            }

            public ulong UInt(int at, int width)
            {
                Check(at, width);
                ulong v = 0;
                for (int i = width - 1; i >= 0; i--) v = (v << 8) | b[at + i];
                return v;
            }

            public long Int(int at, int width)
            {
                ulong v = UInt(at, width);
                int shift = 64 - 8 * width;
                return shift == 0 ? (long)v : ((long)(v << shift)) >> shift;
            }

            /// <summary>The position an offset field at <paramref name="at"/> points to (backwards, inside the buffer).</summary>
            public int Target(int at, int width)
            {
                ulong off = UInt(at, width);
                if (off > (ulong)at) throw new FlexBufferException($"offset {at}: offset {off} points before the buffer start");
                return at - (int)off;
            }

            /// <summary>The element count stored before a vector at <paramref name="at"/>, checked against the buffer.</summary>
            public int Count(int at, int width)
            {
                ulong n = UInt(at - width, width);
                if (n > (ulong)b.Length || (long)at + (long)n * width > b.Length)
                    throw new FlexBufferException($"offset {at - width}: vector length {n} runs past the buffer end");
                return (int)n;
            }
        }
    }
}
