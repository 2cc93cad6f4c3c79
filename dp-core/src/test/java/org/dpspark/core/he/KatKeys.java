package org.dpspark.core.he;

import java.math.BigInteger;
import org.dpspark.core.he.Paillier.PrivateKey;
import org.dpspark.core.he.Paillier.PublicKey;

/**
 * Fixed keys and known answers for the Paillier tests, computed outside Java with python3's built-in integers.
 *
 * <p>The 2048-bit key: p and q are 1024-bit primes generated once with python3 (random odd 1024-bit candidates
 * with the top two bits set, kept after 64 rounds of Miller-Rabin with random bases from {@code secrets}); m and
 * r are {@code secrets.randbelow(N)} with {@code gcd(r, N) = 1}. The ciphertext C_HEX was computed by
 * <pre>
 * python3 -c "p,q,m,r=(int(x,16) for x in (P_HEX,Q_HEX,M_HEX,R_HEX));N=p*q;print(format((1+m*N)*pow(r,N,N*N)%(N*N),'x'))"
 * </pre>
 * (with the hex strings below pasted in). The small key (p = 2003, q = 2011, N = 4028033) and its answers:
 * <pre>
 * python3 -c "p,q=2003,2011;N=p*q;[print(m,r,(1+m*N)*pow(r,N,N*N)%(N*N)) for m,r in ((1234567,3141),(0,2),(N-1,N-2))]"
 * </pre>
 * These are test keys: their factors are public, so they protect nothing.
 */
final class KatKeys {

    private KatKeys() {
    }

    static final BigInteger SMALL_P = BigInteger.valueOf(2003);
    static final BigInteger SMALL_Q = BigInteger.valueOf(2011);

    /** {m, r, c} under the small key. */
    static final long[][] SMALL_ANSWERS = {
        {1234567L, 3141L, 5554600761973L},
        {0L, 2L, 9126612897735L},
        {4028032L, 4028031L, 8931969376723L},
    };

    /** The 2048-bit key's factors, and {m, r, c} under it, in hex. */
    static final String P_HEX =
            "d46c0e6837de660d001e485815267eab278e4f4e03bdcb5e65effc1721207451971e393908b77e432d2105b251266418"
            + "ce4af4d55a670103e8f2897323ccbaa53df86e85de8619ef1c28d36d717fc5524b09466de63c078db8a552b184750619"
            + "f82ad3f5dc41e438da47ef0d35c215cd2dce3df00f7e8c7c90ed8c46acff8fd7";
    static final String Q_HEX =
            "da5fb2ccbf7f49a040f985adccf273b3f5a5e2f83d772203dac8949bf3f4fbed1e7eca7ef724e5b5317f88b8ef177dd1"
            + "927200fba3a3eeb3e29c97258c192ab6e6407a8553898936191b411b813080025f5d43d9c12802d1c88e5ae0617469c5"
            + "1a4d2d7888f194b17f0f87ea0c19f6f71c19c676ce2a4e614dd551ad4a01a9fb";
    static final String M_HEX =
            "92b10893dd863029578505117df161bdb160ac0a7e196a6376635cef3688439a5427090b221a25d8d315ed6e454383e0"
            + "999ae47cc6df8da9f7950ced4b54c5cdd39aca114af11623146e5252c8d208d404ba31840d46fcc462403fc9431a9226"
            + "56a4b54233edc70228864d9a4845c9310c841fb011c2f81a603ca2509dad54ccc0db72ee6f739789ad7b3f788e39f74f"
            + "166a99af1431b119af770d11ca8a25f2ee1d6c735db62f832e0b0ed9adcc17b10a4907d066eb17ad5590dd960a1bae0c"
            + "a498cd3be1f369834d89e905bdb50081671e60e73d9234ef14c604f15605fccc1b07bc1a72573e21ca593cadf78ec535"
            + "45ba19cfdede097a2e30e44fb2f390d3";
    static final String R_HEX =
            "5d171ea7553147d5d95c6bf64dd66fbbeeb71dfceb0a0f7c98f64b6f3d7aaa28c6673d95f09b006c16cbf135393f629a"
            + "b279c34d5d72c6ce14b7b4771c4cf55e95dde8ea3260a54167950461282281515839a73b3fed58691c14fbb7cb955f51"
            + "66ee28c55a393c480b6e531afa44b3b7dc4fe37c910c0112769cb600e487b5630223de1812fa8020b7ef2e7506a3dd43"
            + "998dbbbe42588bcf54d18a54d48d1ce0208c421b7994735d6035d180559097d836f1034c048119d4fdc5cbcb0412f30e"
            + "16e2bea0b985405deccecb40f4e58752b5e6b616208834293f4fa3f5a2ed2e9d09068f8e30e239ab97af0fbf86b5201d"
            + "0fa99550d3de3bf2884bf3071a3f48e5";
    static final String C_HEX =
            "2962d94c0fd01929c710648a4a047a623a6edaa3c6ddf690416a908bf587a81626564e184f0c4c23bde7d593f7980738"
            + "30120616ebf3fcee0248d6aeb59a3ff77b6d2dc9b546c969c7dd65debac446372c74d8c17970a065e9f7ebc195a877f9"
            + "37fc8ffe0f004539b14a1f5f1317baeb06ee53f4a1a59a58fe4a0809cec6af5d646cbe602a88cfb3a9a97a2983e3f1b5"
            + "4bf575fb8bcf84a4596a9e9b9ded1ed25fe0187cfeb3477b3bc3f5f0a97e3b4adb6369c5b939094fec3f4abcb689fdcb"
            + "b41a52eb87dedbe77e5b93ac3b10bc2edbb8ab038617ce36432ead268d26035db20ba6145fe54879f226d83713f0afee"
            + "2a975dda40f91676bae92030a5e534b89fed6d2ae9200bf52f423a51ed7db8c6de78d813e4df6e56bd0618a337d40d4b"
            + "989f21721d2c17e67a37308ba8090c9b03393450ec4c09003ce08c267e2b8542bbadfcf539df6eed9a895948ac2aa70c"
            + "f0a0c00868cbbd2e392dda34c9b60e62741e9344b1af0839d0332d98ff8a8d4718aca00ad6d3825218bfded683d2d664"
            + "fca3c4934c6312ebb421bec08e60cf1d8150ce18478c00f16c3880b31c2e6e137488373930ba2fe0c3279cfd93f350f9"
            + "a4f96ed6c94be900f39491dd9293df0a522a5fcd305fdc7db88dfe0f1145833867ed1f9ada5dc94ba0491337d73b4e2b"
            + "6150f91097aa6ddd9b1c90728472f0557224f646437c7a7ca2379e19d53e5bbd";

    static BigInteger hex(String h) {
        return new BigInteger(h, 16);
    }

    static PrivateKey small() {
        return key(SMALL_P, SMALL_Q);
    }

    static PrivateKey key2048() {
        return key(hex(P_HEX), hex(Q_HEX));
    }

    static PrivateKey key(BigInteger p, BigInteger q) {
        return new PrivateKey(new PublicKey(p.multiply(q)), p, q);
    }
}
