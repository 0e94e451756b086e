using System;

namespace Mote.NanoCheck
{
    /// <summary>What kind of check produced a finding.</summary>
    public enum FindingKind
    {
        /// <summary>A compiler error against the nanoFramework stubs (API missing, or not C# 7.3).</summary>
        Compile,
        /// <summary>An IL opcode nanoFramework's CLR does not execute (localloc, cpblk, initblk, calli, jmp).</summary>
        Opcode,
        /// <summary>A generic type or method: definition or instantiation (nanoFramework 1.x has no generics).</summary>
        Generic,
        /// <summary>A multidimensional array type (nanoFramework supports only single-dimension, zero-based arrays).</summary>
        MultiDimArray,
        /// <summary>System.Math/MathF beyond Abs/Min/Max/Clamp/Sign, or an integer call silently widened to float math.</summary>
        FloatMath,
    }

    /// <summary>One finding: <c>file:line: message</c>. Line is 1-based.</summary>
    public sealed class Finding : IEquatable<Finding>
    {
        public string File { get; }   // full path
        public int Line { get; }
        public FindingKind Kind { get; }
        public string Message { get; }
        /// <summary>Set on IL findings that only restate a missing API; dropped when the compiler already
        /// reported something on the same line.</summary>
        internal bool RestatesMissingApi { get; set; }

        public Finding(string file, int line, FindingKind kind, string message)
        {
            File = file; Line = line; Kind = kind; Message = message;
        }

        public string Format(string displayPath) => displayPath + ":" + Line + ": " + Message;

        public override string ToString() => Format(File);

        public bool Equals(Finding other) =>
            other != null && File == other.File && Line == other.Line && Message == other.Message;

        public override bool Equals(object obj) => Equals(obj as Finding);

        public override int GetHashCode() => HashCode.Combine(File, Line, Message);
    }
}
