/**
 * Prompts in many scripts for the prompt-bound benchmark: one short paragraph each on the same
 * subject (budgets for AI inference), written for this benchmark, plus code and a tool schema.
 */
export const CORPUS: Record<string, string> = {
  English: 'Every request to a language model costs money: the prompt is billed per token, and so is every token the model writes back. A budget firewall reserves the worst case before the call and settles to the real cost after it.',
  Spanish: 'Cada solicitud a un modelo de lenguaje cuesta dinero: el mensaje se cobra por token, y también cada token que el modelo devuelve. Un cortafuegos de presupuesto reserva el peor caso antes de la llamada y liquida el costo real después.',
  German: 'Jede Anfrage an ein Sprachmodell kostet Geld: Die Eingabe wird pro Token abgerechnet, ebenso jedes Token, das das Modell zurückschreibt. Eine Budget-Firewall reserviert vor dem Aufruf den ungünstigsten Fall und rechnet danach die tatsächlichen Kosten ab.',
  French: "Chaque requête adressée à un modèle de langage coûte de l'argent : l'invite est facturée au jeton, tout comme chaque jeton renvoyé par le modèle. Un pare-feu budgétaire réserve le pire cas avant l'appel et règle le coût réel ensuite.",
  Russian: 'Каждый запрос к языковой модели стоит денег: запрос оплачивается за каждый токен, как и каждый токен ответа модели. Бюджетный брандмауэр резервирует худший случай до вызова и списывает реальную стоимость после него.',
  Greek: 'Κάθε αίτημα σε ένα γλωσσικό μοντέλο κοστίζει χρήματα: η εντολή χρεώνεται ανά token, όπως και κάθε token που επιστρέφει το μοντέλο. Ένα τείχος προϋπολογισμού δεσμεύει τη χειρότερη περίπτωση πριν από την κλήση.',
  Arabic: 'كل طلب إلى نموذج لغوي يكلف مالاً: تُحتسب المطالبة لكل رمز، وكذلك كل رمز يكتبه النموذج في الرد. يحجز جدار الحماية للميزانية أسوأ حالة قبل الاستدعاء ثم يسوي التكلفة الفعلية بعده.',
  Hebrew: 'כל בקשה למודל שפה עולה כסף: ההנחיה מחויבת לפי אסימון, וכך גם כל אסימון שהמודל כותב בחזרה. חומת אש תקציבית שומרת את המקרה הגרוע ביותר לפני הקריאה ומסלקת את העלות האמיתית אחריה.',
  Hindi: 'किसी भाषा मॉडल को भेजा गया हर अनुरोध पैसे खर्च करता है: प्रॉम्प्ट का बिल प्रति टोकन बनता है, और मॉडल द्वारा लौटाए गए हर टोकन का भी। बजट फ़ायरवॉल कॉल से पहले सबसे खराब स्थिति आरक्षित करता है।',
  Thai: 'ทุกคำขอที่ส่งไปยังโมเดลภาษามีค่าใช้จ่าย: พรอมต์คิดเงินตามโทเค็น และทุกโทเค็นที่โมเดลตอบกลับก็เช่นกัน ไฟร์วอลล์งบประมาณจะจองกรณีที่แย่ที่สุดไว้ก่อนการเรียกใช้',
  Chinese: '向语言模型发出的每个请求都要花钱：提示按词元计费，模型返回的每个词元也要计费。预算防火墙在调用之前预留最坏情况的费用，并在调用之后按实际成本结算。',
  Japanese: '言語モデルへのすべてのリクエストには費用がかかります。プロンプトはトークンごとに課金され、モデルが返すトークンも同様です。予算ファイアウォールは呼び出しの前に最悪の場合を予約し、後で実際の費用で精算します。',
  Korean: '언어 모델에 대한 모든 요청에는 비용이 듭니다. 프롬프트는 토큰당 청구되며 모델이 돌려주는 모든 토큰도 마찬가지입니다. 예산 방화벽은 호출 전에 최악의 경우를 예약하고 호출 후에 실제 비용으로 정산합니다.',
  Vietnamese: 'Mỗi yêu cầu gửi đến mô hình ngôn ngữ đều tốn tiền: lời nhắc được tính phí theo token, và mọi token mà mô hình trả về cũng vậy. Tường lửa ngân sách đặt trước trường hợp xấu nhất trước khi gọi.',
  Turkish: 'Bir dil modeline yapılan her istek para harcar: istem jeton başına faturalandırılır ve modelin geri yazdığı her jeton da öyle. Bir bütçe güvenlik duvarı çağrıdan önce en kötü durumu ayırır ve sonra gerçek maliyeti öder.',
  Emoji: 'Budget 💸 check ✅ before every call 📞, settle 🧾 after; streams 🌊 are charged as they flow, refusals 🚫 cost nothing. 🚀🔥🤖',
  'Code (TypeScript)': `export function usageCostMicros(u: NormalizedUsage, p: TokenPrice): number {
  const cacheRead = u.input.cacheRead ?? 0;
  const noCache = u.input.noCache ?? Math.max(0, (u.input.total ?? 0) - cacheRead);
  return tokenCostMicros(noCache, p.input) + tokenCostMicros(cacheRead, p.cachedInput ?? p.input);
}`,
  'Code (Python)': `def usage_cost_micros(usage, price):
    cache_read = usage.get("cache_read", 0)
    no_cache = max(0, usage["total"] - cache_read)
    return round(no_cache * price.input / 1e6) + round(cache_read * price.cached / 1e6)`,
};

export const TOOL_SCHEMA = [{
  type: 'function',
  function: {
    name: 'gpu_spend_report', description: 'Report GPU and token spend for a team over a period, grouped as asked.',
    parameters: {
      type: 'object', required: ['team', 'from', 'to'],
      properties: {
        team: { type: 'string', description: 'Team identifier' }, from: { type: 'string', format: 'date' }, to: { type: 'string', format: 'date' },
        group_by: { type: 'array', items: { type: 'string', enum: ['model', 'gpu', 'day', 'user'] } }, include_forecast: { type: 'boolean' },
      },
    },
  },
}];
