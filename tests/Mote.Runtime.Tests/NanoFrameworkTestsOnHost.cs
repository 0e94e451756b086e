using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace nanoFramework.TestFramework
{
    // A host stand-in for the few nanoFramework.TestFramework members the NFUnitTest sources use
    // (signatures as in ../shared/apis/nanoFramework.TestFramework.txt), so those very files run here.
    [AttributeUsage(AttributeTargets.Class)] public sealed class TestClassAttribute : Attribute { }
    [AttributeUsage(AttributeTargets.Method)] public sealed class TestMethodAttribute : Attribute { }

    public sealed class Assert
    {
        public static void AreEqual(int expected, int actual, string message = "")
        {
            if (expected != actual) throw new Exception("AreEqual failed: expected " + expected + ", actual " + actual + " " + message);
        }

        public static void AreEqual(sbyte expected, sbyte actual, string message = "")
        {
            if (expected != actual) throw new Exception("AreEqual failed: expected " + expected + ", actual " + actual + " " + message);
        }

        public static void IsTrue(bool condition, string message = "")
        {
            if (!condition) throw new Exception("IsTrue failed: " + message);
        }

        public static void IsFalse(bool condition, string message = "")
        {
            if (condition) throw new Exception("IsFalse failed: " + message);
        }
    }
}

namespace Mote.Runtime.Tests
{
    /// <summary>
    /// Runs the nanoFramework test project's own sources (tests/Mote.NanoFramework.Tests, compiled into
    /// this assembly) on the host, so their expectations are proven right here; on nanoCLR they then show
    /// the same integer code gives the same bytes there.
    /// </summary>
    public class NanoFrameworkTestsOnHost
    {
        public static IEnumerable<object[]> Methods() =>
            typeof(NanoFrameworkTestsOnHost).Assembly.GetTypes()
                .Where(t => t.GetCustomAttribute<nanoFramework.TestFramework.TestClassAttribute>() != null)
                .SelectMany(t => t.GetMethods().Where(m => m.GetCustomAttribute<nanoFramework.TestFramework.TestMethodAttribute>() != null))
                .Select(m => new object[] { m.DeclaringType.Name + "." + m.Name });

        [Fact]
        public void NFUnitTest_Sources_AreCompiledIn()
        {
            Assert.True(Methods().Count() >= 8, "expected the NFUnitTest test methods to be compiled into this assembly");
        }

        [Theory]
        [MemberData(nameof(Methods))]
        public void NFUnitTest_Method_PassesOnHost(string name)
        {
            string[] parts = name.Split('.');
            var type = typeof(NanoFrameworkTestsOnHost).Assembly.GetTypes().Single(t => t.Name == parts[0] && t.GetCustomAttribute<nanoFramework.TestFramework.TestClassAttribute>() != null);
            var instance = Activator.CreateInstance(type);
            try { type.GetMethod(parts[1]).Invoke(instance, null); }
            catch (TargetInvocationException e) { throw e.InnerException; }
        }
    }
}
