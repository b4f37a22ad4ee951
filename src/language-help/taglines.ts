/**
 * The notice of availability of free language assistance (45 CFR 92.11, 2024 rule) in English and the 15
 * languages most spoken by people with limited English in California, plus Lao, a Medi-Cal threshold language
 * (docs/languages.md names the sources). Each is written in its own language and script, whatever the page's
 * language, so it is data here rather than a message file; `{{phone}}` is Member Services' number.
 * The wording follows the federal sample taglines; a qualified translator must review it before production use.
 */
export interface Tagline {
  /** BCP 47 tag, for `lang`. */
  lang: string
  dir: 'ltr' | 'rtl'
  /** The language's name in itself. */
  name: string
  /** The language's name in English, for staff and the docs. */
  englishName: string
  text: string
}

export const taglines: readonly Tagline[] = [
  {
    lang: 'en',
    dir: 'ltr',
    name: 'English',
    englishName: 'English',
    text: 'ATTENTION: If you speak another language, language assistance services, free of charge, are available to you. Call {{phone}} (TTY: 711).',
  },
  {
    lang: 'es',
    dir: 'ltr',
    name: 'Español',
    englishName: 'Spanish',
    text: 'ATENCIÓN: Si habla español, tiene a su disposición servicios gratuitos de asistencia con el idioma. Llame al {{phone}} (TTY: 711).',
  },
  {
    lang: 'zh-Hant',
    dir: 'ltr',
    name: '繁體中文',
    englishName: 'Chinese (Traditional)',
    text: '注意：如果您使用繁體中文，您可以免費獲得語言援助服務。請致電 {{phone}}（TTY：711）。',
  },
  {
    lang: 'vi',
    dir: 'ltr',
    name: 'Tiếng Việt',
    englishName: 'Vietnamese',
    text: 'CHÚ Ý: Nếu bạn nói Tiếng Việt, có các dịch vụ hỗ trợ ngôn ngữ miễn phí dành cho bạn. Gọi số {{phone}} (TTY: 711).',
  },
  {
    lang: 'tl',
    dir: 'ltr',
    name: 'Tagalog',
    englishName: 'Tagalog',
    text: 'PAUNAWA: Kung nagsasalita ka ng Tagalog, maaari kang gumamit ng mga serbisyo ng tulong sa wika nang walang bayad. Tumawag sa {{phone}} (TTY: 711).',
  },
  {
    lang: 'ko',
    dir: 'ltr',
    name: '한국어',
    englishName: 'Korean',
    text: '주의: 한국어를 사용하시는 경우, 언어 지원 서비스를 무료로 이용하실 수 있습니다. {{phone}} (TTY: 711) 번으로 전화해 주십시오.',
  },
  {
    lang: 'hy',
    dir: 'ltr',
    name: 'Հայերեն',
    englishName: 'Armenian',
    text: 'ՈՒՇԱԴՐՈՒԹՅՈՒՆ՝ Եթե խոսում եք հայերեն, ապա ձեզ անվճար կարող են տրամադրվել լեզվական աջակցության ծառայություններ: Զանգահարեք {{phone}} (TTY (հեռատիպ)՝ 711):',
  },
  {
    lang: 'fa',
    dir: 'rtl',
    name: 'فارسی',
    englishName: 'Persian (Farsi)',
    text: 'توجه: اگر به زبان فارسی گفتگو می کنید، تسهیلات زبانی بصورت رایگان برای شما فراهم می باشد. با {{phone}} (TTY: 711) تماس بگیرید.',
  },
  {
    lang: 'ru',
    dir: 'ltr',
    name: 'Русский',
    englishName: 'Russian',
    text: 'ВНИМАНИЕ: Если вы говорите на русском языке, то вам доступны бесплатные услуги перевода. Звоните {{phone}} (телетайп: 711).',
  },
  {
    lang: 'ja',
    dir: 'ltr',
    name: '日本語',
    englishName: 'Japanese',
    text: '注意事項：日本語を話される場合、無料の言語支援をご利用いただけます。{{phone}}（TTY: 711）まで、お電話にてご連絡ください。',
  },
  {
    lang: 'ar',
    dir: 'rtl',
    name: 'العربية',
    englishName: 'Arabic',
    text: 'ملحوظة: إذا كنت تتحدث العربية، فإن خدمات المساعدة اللغوية تتوافر لك بالمجان. اتصل برقم {{phone}} (رقم هاتف الصم والبكم: 711).',
  },
  {
    lang: 'pa',
    dir: 'ltr',
    name: 'ਪੰਜਾਬੀ',
    englishName: 'Punjabi',
    text: 'ਧਿਆਨ ਦਿਓ: ਜੇ ਤੁਸੀਂ ਪੰਜਾਬੀ ਬੋਲਦੇ ਹੋ, ਤਾਂ ਭਾਸ਼ਾ ਵਿੱਚ ਸਹਾਇਤਾ ਸੇਵਾ ਤੁਹਾਡੇ ਲਈ ਮੁਫਤ ਉਪਲਬਧ ਹੈ। {{phone}} (TTY: 711) ’ਤੇ ਕਾਲ ਕਰੋ।',
  },
  {
    lang: 'km',
    dir: 'ltr',
    name: 'ខ្មែរ',
    englishName: 'Khmer (Cambodian)',
    text: 'ប្រយ័ត្ន៖ បើសិនជាអ្នកនិយាយ ភាសាខ្មែរ, សេវាជំនួយផ្នែកភាសា ដោយមិនគិតឈ្នួល គឺអាចមានសំរាប់បំរើអ្នក។ ចូរ ទូរស័ព្ទ {{phone}} (TTY: 711)។',
  },
  {
    lang: 'hmn',
    dir: 'ltr',
    name: 'Hmoob',
    englishName: 'Hmong',
    text: 'LUS CEEV: Yog tias koj hais lus Hmoob, cov kev pab txog lus, muaj kev pab dawb rau koj. Hu rau {{phone}} (TTY: 711).',
  },
  {
    lang: 'hi',
    dir: 'ltr',
    name: 'हिंदी',
    englishName: 'Hindi',
    text: 'ध्यान दें: यदि आप हिंदी बोलते हैं तो आपके लिए मुफ्त में भाषा सहायता सेवाएं उपलब्ध हैं। {{phone}} (TTY: 711) पर कॉल करें।',
  },
  {
    lang: 'th',
    dir: 'ltr',
    name: 'ไทย',
    englishName: 'Thai',
    text: 'เรียน: ถ้าคุณพูดภาษาไทยคุณสามารถใช้บริการช่วยเหลือทางภาษาได้ฟรี โทร {{phone}} (TTY: 711)',
  },
  {
    lang: 'lo',
    dir: 'ltr',
    name: 'ພາສາລາວ',
    englishName: 'Lao',
    text: 'ໂປດຊາບ: ຖ້າວ່າ ທ່ານເວົ້າພາສາ ລາວ, ການບໍລິການຊ່ວຍເຫຼືອດ້ານພາສາ, ໂດຍບໍ່ເສັຽຄ່າ, ແມ່ນມີພ້ອມໃຫ້ທ່ານ. ໂທຣ {{phone}} (TTY: 711).',
  },
]

/** The number part of HELP_PHONE ("1-800-555-0100 (TTY 711)" → "1-800-555-0100"): the taglines add TTY themselves. */
export function phoneNumberOf(helpPhone: string): string {
  return helpPhone.replace(/\s*\(.*$/, '').trim()
}

export interface FilledTagline extends Tagline {
  /** The text around the number, so a page can isolate the number (left to right even in Arabic and Persian). */
  before: string
  phone: string
  after: string
}

/** The taglines with Member Services' number filled in. */
export function taglinesFor(helpPhone: string): FilledTagline[] {
  const phone = phoneNumberOf(helpPhone)
  return taglines.map((tagline) => {
    const [before, after = ''] = tagline.text.split('{{phone}}')
    return { ...tagline, text: `${before}${phone}${after}`, before, phone, after }
  })
}
