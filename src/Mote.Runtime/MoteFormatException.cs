using System;

namespace Mote.Runtime
{
    /// <summary>
    /// A blob is malformed, corrupted, truncated, of an unsupported version, or inconsistent
    /// (e.g. a tensor outside the arena). Thrown only by <see cref="Model.Load(byte[])"/>;
    /// a blob that loads can be invoked without any out-of-range access.
    /// </summary>
    public class MoteFormatException : Exception
    {
        /// <summary>Absolute byte offset in the blob of the offending field, or -1.</summary>
        public int Offset { get; private set; }

        /// <summary>Section name (e.g. "TENSORS", "header"), or null.</summary>
        public string Section { get; private set; }

        public MoteFormatException(string section, int offset, string message)
            : base(Describe(section, offset, message))
        {
            Section = section;
            Offset = offset;
        }

        static string Describe(string section, int offset, string message)
        {
            string where = section == null ? "" : section;
            if (offset >= 0) where = where + (where.Length > 0 ? " " : "") + "at offset 0x" + offset.ToString("X") + " (" + offset + ")";
            return where.Length > 0 ? "invalid blob: " + where + ": " + message : "invalid blob: " + message;
        }
    }
}
