import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

export interface CertificateFiles {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  /** A certificate from another CA, for negative tests. */
  readonly strangerCert: string;
  readonly strangerKey: string;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/**
 * A throwaway CA and one certificate for every pod of the set (a wildcard over
 * the headless Service's names, usable as server and client certificate), as
 * cert-manager would issue them, made with openssl.
 */
export async function makeCertificates(dir: string, serviceDomain: string): Promise<CertificateFiles> {
  const path = (name: string) => join(dir, name);
  const ext = path('pod.ext');
  writeFileSync(ext, `subjectAltName=DNS:*.${serviceDomain}\nextendedKeyUsage=serverAuth,clientAuth\n`);
  for (const ca of ['ca', 'stranger-ca']) {
    await execa('openssl', ['req', '-x509', ...EC, '-keyout', path(`${ca}.key`), '-out', path(`${ca}.crt`), '-subj', `/CN=${ca}`, '-days', '1']);
  }
  for (const [name, ca] of [['pod', 'ca'], ['stranger', 'stranger-ca']] as const) {
    await execa('openssl', ['req', ...EC, '-keyout', path(`${name}.key`), '-out', path(`${name}.csr`), '-subj', `/CN=${name}`]);
    await execa('openssl', ['x509', '-req', '-in', path(`${name}.csr`), '-CA', path(`${ca}.crt`), '-CAkey', path(`${ca}.key`), '-CAcreateserial', '-out', path(`${name}.crt`), '-days', '1', '-extfile', ext]);
  }
  return { ca: path('ca.crt'), cert: path('pod.crt'), key: path('pod.key'), strangerCert: path('stranger.crt'), strangerKey: path('stranger.key') };
}
